"""Names, phone numbers and complaint texts of the seeded customers, in both languages. The step
evidence they are answered with is seeding.sample_evidence.TEXT, shared with the demo loader."""

from cases.choices import Language

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文辉鹏飞宇浩然欣怡子涵梓轩晓雪梅琳"
EN_FIRST = ("John", "Mary", "David", "Sarah", "Michael", "Emily", "James", "Jessica", "Robert", "Jennifer", "William",
            "Linda", "Daniel", "Karen", "Thomas", "Susan", "Peter", "Helen", "Mark", "Grace", "Kevin", "Alice",
            "Brian", "Laura", "Eric", "Amy", "Jason", "Rachel", "Simon", "Chloe")  # fmt: skip
EN_LAST = ("Smith", "Johnson", "Brown", "Lee", "Wong", "Chan", "Taylor", "Wilson", "Davies", "Evans", "Thomas",
           "Roberts", "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Lam", "Cheung", "Ng", "Ho", "Leung",
           "Yip", "Tsang", "Martin", "White", "Harris", "Lewis", "Young")  # fmt: skip
ZH_PHONE_PREFIX = ("139", "138", "137", "136", "135", "158", "186", "187", "150", "131")

# (summary, what happened, disputed item, disputed amount)
SUMMARIES = {
    Language.CHINESE: (
        ("话费多扣两百元", "本月账单比平时多了两百元，客户没有使用额外业务。", "月账单", "200.00"),
        ("宽带频繁断线", "近一周宽带每天断线多次，影响在家办公。", "宽带服务", None),
        ("营业厅服务态度差", "客户在营业厅办理业务时营业员态度冷淡、不耐烦。", "", None),
        ("国际漫游费用过高", "出国一周产生漫游费一千二百元，事先没有收到提醒。", "漫游费", "1200.00"),
        ("套餐变更未生效", "上月申请变更套餐，本月仍按旧套餐扣费。", "套餐月费", "58.00"),
        ("装机师傅迟到", "约定上午上门装机，师傅下午四点才到，也没有提前通知。", "", None),
        ("手机信号差", "家中室内几乎没有信号，打电话经常掉线。", "", None),
        ("增值业务被莫名开通", "账单中出现从未订购的视频会员费用。", "增值业务费", "30.00"),
    ),
    Language.ENGLISH: (
        ("Overcharged 200 on the bill", "This month's bill is 200 higher than usual; no extra services used.",
         "Monthly bill", "200.00"),
        ("Broadband keeps dropping", "The broadband drops several times a day this week; working from home fails.",
         "Broadband service", None),
        ("Rude staff at the retail hall", "The clerk at the store was curt and impatient.", "", None),
        ("Roaming charges too high", "A week abroad cost 1,200 in roaming with no warning text.", "Roaming",
         "1200.00"),
        ("Plan change not applied", "Asked to change plan last month; still billed on the old plan.", "Plan fee",
         "58.00"),
        ("Installer arrived late", "Booked for the morning, the installer came at 4 pm without notice.", "", None),
        ("Poor signal at home", "Almost no signal indoors; calls drop all the time.", "", None),
        ("Add-on activated without consent", "The bill shows a video subscription never ordered.", "Add-on fee",
         "30.00"),
    ),
}  # fmt: skip
RESOLUTIONS = {
    Language.CHINESE: ("退还多扣的费用", "尽快修好并给个说法", "道歉并赔偿"),
    Language.ENGLISH: ("Refund the overcharge", "Fix it fast and explain", "An apology and compensation"),
}
END_REASON = {
    "withdraw": {Language.CHINESE: "客户来电撤回投诉", Language.ENGLISH: "The customer called to withdraw."},
    "reject": {Language.CHINESE: "经核实不属于有效投诉", Language.ENGLISH: "Checked: not a valid complaint."},
}

WITHDRAWAL_WORDS = {
    Language.CHINESE: "算了，问题已经自己好了，不用处理了。",
    Language.ENGLISH: "Never mind, it's sorted now; no need to go on.",
}


def person_name(lang, rng) -> str:
    if lang == Language.ENGLISH:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    given = rng.choice(ZH_GIVEN) + (rng.choice(ZH_GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(ZH_SURNAMES) + given


def phone_number(customer_id, lang, rng) -> str:
    # Unique per customer (derived from its id), so intake's lookup by phone finds it.
    if lang == Language.ENGLISH:
        return f"+8529{customer_id:07d}"
    return f"{rng.choice(ZH_PHONE_PREFIX)}{customer_id:08d}"
