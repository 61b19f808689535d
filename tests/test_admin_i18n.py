"""The admin in Chinese (issue 7, item 19: "the admin's change links read wrongly in Chinese").

Our catalog (LOCALE_PATHS) is searched before Django's own, so an msgid we share with Django's admin
replaces Django's translation there too. Ours translated the case history's column "Change" as
变更类型 ("type of change"), and every change link in the admin read 变更类型 instead of 修改; the
case step "Close" (关闭工单, "close the case") would have labelled simple-history's close button, a
customer's "name" (姓名, a person's name) a group's name. Such words now carry a context of ours.

The tests: our catalog does not reword Django's admin; the change links read 修改; and no page of
the admin a superuser can open (index, app indexes, and for every registered model its changelist,
add form, change form and history) shows one of our own English strings, or a case state or event
kind by its stored code where its label belongs.
"""

import datetime
import gettext
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
import simple_history
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from accounts.models import Profile
from cases.choices import CaseState
from cases.events import event_kinds
from cases.models import Category, LocalClosure, ResponsibleUnit
from cases.services.letters import letter_request
from complaints.models import Product
from escalation.services import case_customer_type_tag
from tests.factories import UserFactory, case_in_state

OURS = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
DJANGO = Path(django.__file__).parent
# The catalogs whose words the admin pages show.
ADMIN_CATALOGS = {
    "django": DJANGO / "conf",
    "django.contrib.admin": DJANGO / "contrib" / "admin",
    "django.contrib.auth": DJANGO / "contrib" / "auth",
    "django.contrib.contenttypes": DJANGO / "contrib" / "contenttypes",
    "simple_history": Path(simple_history.__file__).parent,
}
# Words we share with Django that mean the same in both places; our wording is kept on purpose.
SAME_MEANING = {
    ", ": "a list of names is separated by 、 in Chinese",
    "Log out": "退出登录 and 注销 both say log out",
    "active": "启用 and 有效 both say the record is in use",
    "This field is required.": "our form errors share one wording",
    "Enter a number.": "our form errors share one wording",
    "Enter a whole number.": "our form errors share one wording",
    "Enter a list of values.": "our form errors share one wording",
}


def catalog(mo: Path) -> dict:
    with mo.open("rb") as file:
        return gettext.GNUTranslations(file)._catalog


def our_english() -> set[str]:
    """Our English source strings that read differently in Chinese ("VIP" stays "VIP"), without
    their context (a context is joined to its msgid by \x04; plurals are keyed (msgid, n))."""
    english = set()
    for key, translated in catalog(OURS).items():
        msgid = (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        if msgid.strip() and translated != msgid:
            english.add(msgid)
    return english


class VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes outside script/style, and titles, labels, placeholders."""

    ATTRIBUTES = ("title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[tuple[str, str]] = []  # (class, text) of each <a>
        self._hidden = 0
        self._link_class = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            self._link_class = attrs.get("class") or ""
            self.links.append((self._link_class, ""))
        self.texts += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1
        if tag == "a":
            self._link_class = None

    def handle_data(self, data):
        text = data.strip()
        if self._hidden or not text:
            return
        self.texts.append(text.rstrip(":："))
        if self._link_class is not None:
            css, before = self.links[-1]
            self.links[-1] = (css, before + text)


def read(response) -> VisibleText:
    assert response.status_code == 200, response
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def chinese_admin(client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    agent = UserFactory(username="agent_a", role="agent")
    case = case_in_state("assured", owner=agent)  # a case with its events, complaint and customer
    # A rule fires on it (a rule firing and an escalation to open).
    case_customer_type_tag(case=case, actor=agent, data={"customer_type": "legal"})
    letter_request(case=case, actor=agent)  # a letter (its render waits for a commit that never comes)
    Profile.objects.create(user=agent)
    LocalClosure.objects.create(date=datetime.date(2030, 1, 2), reason="办公室搬迁")
    Token.objects.create(user=superuser)
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.superuser = superuser
    # "Recent actions" on the index: a change to one object of every model, made in Chinese.
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            LogEntry.objects.log_actions(
                superuser.pk, model._default_manager.all()[:1], CHANGE, change_message="", single_object=True
            )
    return client


def admin_pages(user) -> list[str]:
    """Every admin page of every registered model that `user` may open; each model must have a row,
    so no change form is left out."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    urls += [
        reverse("admin:app_list", args=[label]) for label in sorted({m._meta.app_label for m in admin.site._registry})
    ]
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.first()
        assert obj is not None, f"no {model.__name__} to open in the admin"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_change", args=[obj.pk]))
        urls.append(reverse(f"{name}_history", args=[obj.pk]))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
    return urls


def test_our_catalog_does_not_reword_djangos_admin():
    ours = catalog(OURS)
    reworded = {}
    for name, package in ADMIN_CATALOGS.items():
        theirs = catalog(package / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo")
        for msgid, translated in ours.items():
            if msgid and msgid in theirs and theirs[msgid] != translated and msgid not in SAME_MEANING:
                reworded[f"{name}: {msgid!r}"] = f"Django says {theirs[msgid]}, ours {translated}"
    assert reworded == {}


@pytest.mark.django_db
def test_the_admin_change_links_read_as_djangos(chinese_admin):
    links = read(chinese_admin.get(reverse("admin:index"))).links
    words = {"changelink": "修改", "addlink": "增加", "viewlink": "查看"}
    shown = {(css, text) for css, text in links if css in words}
    assert {css for css, _text in shown} == set(words)  # the index has all three kinds of link
    assert shown == set(words.items())


@pytest.mark.django_db
def test_no_admin_page_shows_our_english_words_or_codes(chinese_admin):
    # Reference data keeps an English name beside the Chinese one, shown as entered.
    english_names = {row.name_en for model in (Category, ResponsibleUnit, Product) for row in model.objects.all()}
    english = our_english() - english_names
    codes = set(CaseState.values) | set(event_kinds())  # stored codes whose labels the admin should show
    found = {}
    for url in admin_pages(chinese_admin.superuser):
        texts = read(chinese_admin.get(url)).texts
        untranslated = sorted({text for text in texts if text in english or text in codes})
        if untranslated:
            found[url] = untranslated
    assert found == {}
