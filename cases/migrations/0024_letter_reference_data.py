"""The phrases that inflame (the brief's list, Chinese and English) and the reasons a case may need
no resolution letter: reference data an administrator extends in the admin."""

from django.db import migrations

# (phrase, what to say instead)
PHRASES = [
    ("你自己做错了", "我们一起看看哪里出了问题"),
    ("你搞错了", "我再和您核对一下"),
    ("你必须", "您可以"),
    ("你本来应当这样做的", "下次您可以这样做，会更方便"),
    ("你等一会儿", "请您稍候，我马上为您查询"),
    ("我不负责", "我来帮您跟进"),
    ("这不是我的事", "我来帮您联系负责的同事"),
    ("你别激动", "我理解您的心情"),
    ("冷静点", "我理解您的心情"),
    ("你听我说", "我向您说明一下"),
    ("可能你不明白", "我换个方式说明一下"),
    ("可以做的，我们都已经做了", "我们还可以这样做"),
    ("让我试试吧", "我来为您办理"),
    ("尽量吧", "我会在约定时间前给您答复"),
    ("我们从来没有发生过", "感谢您告诉我们，我们会查明原因"),
    ("这是我们的规定", "这样做是为了保护您的权益"),
    ("我知道您急，但是我现在也没有办法", "我理解您很着急，我现在就为您这样处理"),
    ("我们不能帮你", "我们可以这样帮您"),
    ("这是不可能的", "我们可以这样做"),
    ("你到底", "请问您"),
    ("你不要叫", "我理解您的心情"),
    ("我们向来都是这样做的", "我们会考虑您的建议"),
    ("你不用对我吼", "我理解您的心情"),
    ("我知道", "我理解"),
    ("you made a mistake", "let's look at what went wrong together"),
    ("you must", "you can"),
    ("you should have", "next time you can"),
    ("not my job", "I'll find the right person for you"),
    ("calm down", "I understand how you feel"),
    ("listen to me", "let me explain"),
    ("you don't understand", "let me put it another way"),
    ("that's our policy", "this is how we protect your account"),
    ("that's impossible", "here is what we can do"),
    ("we can't help you", "here is how we can help"),
    ("we've always done it this way", "thank you, we will consider your suggestion"),
    ("stop shouting", "I understand how you feel"),
]

NO_LETTER_REASONS = [
    ("customer_declined", "客户表示不需要书面告知", "The customer said they do not want a letter"),
    (
        "told_in_person",
        "已当面或电话告知处理结果，客户已确认",
        "Told in person or by phone, and the customer confirmed",
    ),
    ("no_address", "客户未提供可送达的地址或邮箱", "No postal or e-mail address to send it to"),
    ("informal", "非正式抱怨，无需书面答复", "An informal grumble that needs no written reply"),
]


def seed(apps, schema_editor):
    AvoidPhrase = apps.get_model("cases", "AvoidPhrase")
    NoLetterReason = apps.get_model("cases", "NoLetterReason")
    for text, suggestion in PHRASES:
        AvoidPhrase.objects.get_or_create(text=text, defaults={"suggestion": suggestion})
    for code, name_zh, name_en in NO_LETTER_REASONS:
        NoLetterReason.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_resolution_letters")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
