"""Outlets: the registrable domain of an article's URL (``news.bbc.co.uk`` -> ``bbc.co.uk``).

A story counts distinct outlets, not copies: the same post under several URLs of one site, or on
``www.`` and ``m.`` hosts, is one outlet. The public-suffix logic is a small built-in list of the
multi-label suffixes news actually comes from (no network, no downloaded list); a host under an
unknown suffix falls back to its last two labels, which is right for every single-label TLD.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# Second-level suffixes under country TLDs, and hosting platforms whose subdomains are separate
# publishers (a blog on example.github.io is not github's outlet).
_LABEL = re.compile(r"\w(?:[\w-]{0,61}\w)?")  # unicode letters: IDN hosts as typed
_SUFFIX_TEXT = """
    co.uk org.uk ac.uk gov.uk ltd.uk plc.uk me.uk net.uk sch.uk nhs.uk police.uk
    com.au net.au org.au edu.au gov.au asn.au id.au
    co.nz org.nz net.nz govt.nz ac.nz
    co.jp ne.jp or.jp ac.jp go.jp
    co.kr or.kr go.kr ac.kr ne.kr
    com.cn net.cn org.cn gov.cn edu.cn ac.cn
    com.hk org.hk net.hk gov.hk edu.hk
    com.tw org.tw net.tw gov.tw edu.tw idv.tw
    com.sg org.sg net.sg gov.sg edu.sg
    com.my org.my net.my gov.my edu.my
    co.in net.in org.in gov.in ac.in edu.in firm.in gen.in ind.in
    com.br net.br org.br gov.br edu.br
    com.ar org.ar gob.ar net.ar
    com.mx org.mx gob.mx net.mx edu.mx
    co.za org.za gov.za ac.za net.za web.za
    com.ng org.ng gov.ng edu.ng
    co.ke or.ke go.ke ac.ke
    com.tr org.tr gov.tr edu.tr net.tr
    co.il org.il gov.il ac.il net.il
    com.sa gov.sa edu.sa
    com.eg gov.eg edu.eg
    com.pk gov.pk edu.pk org.pk
    com.ph gov.ph edu.ph net.ph
    co.id or.id go.id ac.id web.id
    co.th or.th go.th ac.th in.th
    com.vn gov.vn edu.vn net.vn
    com.ua gov.ua org.ua net.ua
    com.pl net.pl org.pl gov.pl
    co.at or.at gv.at ac.at
    com.es org.es gob.es edu.es
    com.pt gov.pt org.pt
    com.gr gov.gr edu.gr
    com.ru org.ru net.ru
    github.io gitlab.io substack.com medium.com blogspot.com wordpress.com tumblr.com
    netlify.app vercel.app pages.dev herokuapp.com appspot.com azurewebsites.net
    cloudfront.net s3.amazonaws.com ghost.io beehiiv.com hashnode.dev
"""
_MULTI_LABEL_SUFFIXES = frozenset(_SUFFIX_TEXT.split())


def registrable_domain(url_or_host: str) -> str:
    """The registrable domain (eTLD+1) of a URL or host name; '' when there is none."""
    text = (url_or_host or "").strip()
    if "://" in text:
        host = urlsplit(text).hostname or ""
    else:
        host = text.split("/", 1)[0].split(":", 1)[0]
    host = host.strip(".").lower()
    if not host:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host  # an address is its own outlet
    except ValueError:
        pass
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return ""
    if len(labels) <= 2:
        return host
    for n_suffix in (3, 2):
        if len(labels) > n_suffix and ".".join(labels[-n_suffix:]) in _MULTI_LABEL_SUFFIXES:
            return ".".join(labels[-(n_suffix + 1) :])
    return ".".join(labels[-2:])


def count_outlets(urls: Iterable[str]) -> int:
    """How many distinct registrable domains the URLs come from."""
    return len({d for d in (registrable_domain(u) for u in urls) if d})
