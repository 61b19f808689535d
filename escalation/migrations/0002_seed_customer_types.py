"""The nine customer types of the brief, each with its playbook in our own words (issue 9, item 1).
Admins edit the texts; the codes are stable (rules and the API name them)."""

from django.db import migrations

# (code, escalation_prone, name_zh, name_en, do_zh, do_en, say_zh, say_en, avoid_zh, avoid_en, hand_over_zh, hand_over_en)
PLAYBOOKS = [
    (
        "chronic_complainer",
        False,
        "抱怨成癖型",
        "Chronic complainer",
        "耐心倾听，从抱怨中找出站得住的那一部分，用自己的话复述确认；把事实一条条落实，不让问题被夸大；尽快把话题引到一个具体可行的解决办法上。",
        "Listen patiently and find the part of the complaint that stands up; restate it in your own words. Pin down the facts one by one so the problem does not grow in the telling, then steer firmly towards one concrete solution.",
        "“我把您说的重点再确认一下……”“我们先把这一件解决好，您看这样处理可以吗？”",
        "“Let me make sure I have the main point…” “Let's settle this one first — would this work for you?”",
        "不要和客户争论旧账，不要附和夸大的说法，不要许诺解决不了的事。",
        "Do not argue over old grievances, do not echo exaggerations, do not promise what cannot be done.",
        "同一客户30天内投诉3次以上，或要求超出您的权限时，交给主管。",
        "Hand over to a supervisor when the customer has complained 3 or more times in 30 days, or asks for more than you may give.",
    ),
    (
        "out_of_control",
        True,
        "情绪完全失控型",
        "Completely out of control",
        "先让客户把情绪发泄出来，不打断；然后用简单的封闭式问题把对话拉回事实；放慢语速、降低音量；感谢客户的耐心，尊重对方的时间。",
        "Let the customer vent without interrupting; then ask simple yes/no questions to bring the conversation back to facts. Slow down and lower your voice; thank them for their patience and respect their time.",
        "“我理解这件事让您很着急。”“我问您两个简单的问题，好尽快帮您查清楚：……是吗？”",
        "“I understand this has been really frustrating.” “Two quick questions so I can sort this out: … is that right?”",
        "不要说“您冷静一点”“您别激动”，不要提高音量，不要和客户比谁声音大。",
        "Never say “calm down”, never raise your voice, never try to talk over the customer.",
        "客户持续失控、出现辱骂或威胁时，立即交给主管。",
        "If the customer stays out of control, or becomes abusive or threatening, hand over to a supervisor at once.",
    ),
    (
        "rambling",
        False,
        "喋喋不休型",
        "Rambling / talkative",
        "少寒暄，不问开放式问题；语速略快，回答简短；始终围绕本次服务问题；确认理解后给出两个具体选项让客户选。",
        "Skip the small talk and avoid open questions; keep a brisk pace and short answers. Stay on the service issue, confirm you understood, then offer a choice between two concrete options.",
        "“我确认一下，您主要是想解决……对吗？”“有两种办法：A……，B……，您选哪一种？”",
        "“To confirm, the main thing you want solved is… right?” “There are two ways: A… or B… — which do you prefer?”",
        "不要被带离主题，不要打断得生硬，不要一次给出太多选择。",
        "Do not follow the customer off topic, do not cut them off abruptly, do not offer too many choices at once.",
        "通常无需移交；通话时间过长影响其他客户时，请主管协助。",
        "Usually no hand-over; ask a supervisor for help when the call runs so long that other customers wait.",
    ),
    (
        "withholding_info",
        False,
        "不肯留资料型",
        "Won't leave details",
        "不因客户情绪而降低信息的准确性；说明每一项资料为什么需要、会怎样使用；能识别无效投诉。",
        "Do not lower accuracy because of the customer's mood. Explain why each detail is needed and how it will be used; learn to recognise a complaint that cannot be acted on.",
        "“留下这个号码，是为了我们处理好之后能第一时间通知您。”",
        "“We need this number so we can tell you as soon as it is resolved.”",
        "不要在资料不全时承诺结果，不要催逼客户。",
        "Do not promise an outcome while details are missing, do not pressure the customer.",
        "缺少关键信息无法处理且客户坚持时，交给主管判断是否受理。",
        "When key details are missing and the customer insists, hand over to a supervisor to decide whether the complaint can be taken on.",
    ),
    (
        "demands_escalation",
        True,
        "要求升级型",
        "Demands escalation",
        "先查看客户的服务记录；说话要有信心；客户坚持时，记下要点，转给真正能做决定的人。",
        "Check the customer's service history first and speak with confidence. If the customer insists, take down the essentials and route the case to the person who can actually decide.",
        "“我先帮您看一下之前的处理记录。”“我已经记下要点，会转给能处理这件事的负责人，他会在……之前联系您。”",
        "“Let me look at what has been done so far.” “I have noted the key points and will pass them to the person who can decide; they will call you by…”",
        "不要推诿，不要假装自己能决定，不要让客户重复讲一遍。",
        "Do not pass the buck, do not pretend you can decide, do not make the customer tell the story again.",
        "客户坚持升级时，交给升级处理组（二线）。",
        "When the customer insists, hand the case to the escalation desk (L2).",
    ),
    (
        "comparer",
        False,
        "爱比较型",
        "Comparer",
        "客户想多要一点，但接受服务；给客户信心，感谢其建议并向上反映；介绍省钱办法或忠诚客户优惠。",
        "The customer wants a little extra but accepts the service. Reassure them, thank them for the suggestion and report it upward; offer money-saving tips or loyalty rewards.",
        "“谢谢您的建议，我会反馈给相关部门。”“根据您的使用情况，这个套餐可能更划算……”",
        "“Thank you for the suggestion; I will pass it on.” “Given how you use the service, this plan may save you money…”",
        "不要贬低竞争对手，不要为了比较而随意让步。",
        "Do not run down competitors, do not concede just to win the comparison.",
        "通常无需移交；要求的补偿超出权限时按审批流程处理。",
        "Usually no hand-over; compensation beyond your limit goes through approval.",
    ),
    (
        "professional",
        True,
        "专业型",
        "Professional",
        "客户熟悉流程和行业，可能是同行、内部测试或想要更多赔偿；保持尊重，坚守政策底线，寻找可以合作的切入点，不被对方气势压倒。",
        "The customer knows the processes and the industry — possibly a competitor, an internal test call, or someone after more compensation. Stay respectful, hold the policy line, look for the opening, and do not be intimidated.",
        "“您对这方面很了解，我们按规定的流程为您核实。”",
        "“You clearly know this area; we will check it for you through the proper process.”",
        "不要对专业问题随口作答，不要越过政策让步。",
        "Do not answer technical questions off the cuff, do not concede beyond policy.",
        "涉及政策解释或超出权限的要求时，交给主管。",
        "Hand over to a supervisor for policy interpretation or demands beyond your authority.",
    ),
    (
        "legal",
        True,
        "法律型",
        "Legal type",
        "客户引用法律条文（消费者权益保护法、合同法等），有条理、重证据；每一句话都要谨慎，记录准确；了解基本法律常识。",
        "The customer cites laws (consumer protection, contract law), is structured and evidence-driven. Weigh every word, record precisely, and know the basics of the law.",
        "“您提出的依据我已完整记录，我们会认真核实并在……前书面答复您。”",
        "“I have recorded the grounds you gave in full; we will check them carefully and answer you in writing by…”",
        "不要评论法律责任，不要作出书面以外的承诺，不要说“这是我们的规定”。",
        "Do not comment on legal liability, make no promises beyond what is written, never say “that's our policy”.",
        "标记为法律型或提到律师、起诉、监管部门时，交给升级处理组；可能进入法律程序时升至三线。",
        "Tagged legal, or a lawyer, lawsuit or regulator mentioned: hand to the escalation desk; raise to L3 when legal proceedings are likely.",
    ),
    (
        "billing_dispute",
        False,
        "话费争议型",
        "Billing dispute",
        "客户不明白费用是怎么产生的，担心被多收费；根据记录逐项解释，肯定客户有权清楚了解账单。",
        "The customer does not understand how a charge arose and fears being overcharged. Explain the charge item by item from the records, and affirm their right to a clear bill.",
        "“我们一起逐项看一下这笔费用的来源。”“您有权清楚了解每一笔费用。”",
        "“Let's go through where this charge came from, item by item.” “You have every right to understand each charge.”",
        "不要在核实前认定客户有错，不要含糊其辞。",
        "Do not assume the customer is wrong before checking, do not be vague.",
        "核实后确有多收且需退费超出权限时，按审批流程处理。",
        "When a refund beyond your limit is due after checking, use the approval process.",
    ),
]


FIELDS = ("code", "escalation_prone", "name_zh", "name_en", "do_zh", "do_en", "say_zh", "say_en", "avoid_zh",
          "avoid_en", "hand_over_zh", "hand_over_en")  # fmt: skip


def seed(apps, schema_editor):
    CustomerType = apps.get_model("escalation", "CustomerType")
    for position, row in enumerate(PLAYBOOKS, start=1):
        values = dict(zip(FIELDS, row, strict=True))
        CustomerType.objects.update_or_create(code=values.pop("code"), defaults={**values, "position": position})


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_customer_types")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
