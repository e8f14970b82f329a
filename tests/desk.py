"""Drive the desk screens with the Django test client, as a desk user would."""

import re
import uuid
from html.parser import HTMLParser

from requests_app.models import Request

DOCUMENT_ROWS = 3


def intake_data(policy, *, documents=(), kinds=("disclosure",), **fields):
    """POST data of the intake form; ``fields`` are the form's field names."""
    data = {
        "intake_token": str(uuid.uuid4()),
        "policy": policy.pk,
        "channel": "post",
        "kinds": list(kinds),
        "documents-TOTAL_FORMS": str(DOCUMENT_ROWS),
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "10",
    }
    for index, document in enumerate(documents):
        row = {"holder": "data_subject", "individual_number": "not_shown", "insurer_number": "not_shown"}
        row["domicile"] = "not_shown"
        row.update(document)
        for name, value in row.items():
            data[f"documents-{index}-{name}"] = value
    data.update(fields)
    return data


def register(client, policy, **kwargs):
    """Submit the intake form; returns (response, case)."""
    data = intake_data(policy, **kwargs)
    response = client.post("/admin/requests_app/request/add/", data)
    case = Request.objects.filter(intake_token=data["intake_token"]).first()
    return response, case


def case_url(case):
    return f"/admin/requests_app/request/{case.pk}/change/"


def action_url(case, slug, item=None):
    url = f"/admin/requests_app/request/{case.pk}/action/{slug}/"
    return f"{url}?item={item.pk}" if item is not None else url


class _FormDefaults(HTMLParser):
    """What a browser would submit from the page's form if the user changed nothing."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", "on"))
            elif kind != "submit":
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data.lstrip("\n") if not self.values[self._textarea][0] else data


def form_html(html: str, form_id: str) -> str:
    """The part of a page that is the form with ``id=form_id`` (a page holds several forms)."""
    start = html.index(f'id="{form_id}"')
    start = html.rindex("<form", 0, start)
    return html[start : html.index("</form>", start) + len("</form>")]


def form_defaults(html: str) -> dict:
    parser = _FormDefaults()
    parser.feed(html)
    return {name: (values if len(values) != 1 else values[0]) for name, values in parser.values.items() if values}


def act(client, case, slug, item=None, **fields):
    """Open the action page, then submit its form as the browser would: its defaults plus ``fields``."""
    url = action_url(case, slug, item)
    page = client.get(url)
    assert page.status_code == 200, f"{slug}: {page.status_code}"
    data = form_defaults(form_html(page.content.decode(), "action-form"))
    data.update(fields)
    return client.post(url, data)


def follow(client, response):
    """Follow the redirect of a successful submission; on a re-rendered form, say what the page says."""
    assert response.status_code == 302, f"{response.status_code}: {describe(response)}"
    return client.get(response["Location"])


def describe(response) -> str:
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    notes = re.findall(r'<(?:p|li) class="(?:errornote|error|warning)[^"]*"[^>]*>(.*?)</(?:p|li)>', html, re.S)
    return (
        " | ".join(part for part in (title.group(1).strip() if title else "", errors_of(response), *notes) if part)
        or "no form errors shown"
    )


def errors_of(response) -> str:
    """The error messages shown on a re-rendered form."""
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S))
