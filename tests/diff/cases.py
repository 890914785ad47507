"""The scripted changes of the diff proof: each one edits a fresh copy of the streaming mesh.

Every case starts from a repository whose only commit (``main``) holds the streaming company's
mesh under ``domains/`` (tests/fixtures/streaming) plus a CODEOWNERS with a catch-all platform
line, and edits the working tree without committing, as a pull request's checkout would be
compared with its target branch. Edits are exact text replacements that fail when the fixture no
longer holds the text they replace, so a fixture change cannot silently make a case a no-op.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from gitrepo import GitRepo
from meshtree import EXAMPLE_DOMAINS

CODEOWNERS = """\
* @daff/platform
/domains/mesh.yaml @daff/platform
/domains/player/ @daff/player
"""


def make_repo(root: Path) -> GitRepo:
    """The base: the streaming mesh committed on ``main``."""
    repo = GitRepo(root)
    shutil.copytree(EXAMPLE_DOMAINS, repo.domains)
    repo.write_file(".github/CODEOWNERS", CODEOWNERS)
    repo.write_file("components/bucket.py", "BUCKET_VERSIONING = True\n")
    repo.commit("base")
    return repo


def replace(repo: GitRepo, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (exactly once) in ``domains/<rel>``."""
    path = repo.domains / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel} no longer holds {old!r} exactly once: update tests/diff/cases.py"
    path.write_text(text.replace(old, new), encoding="utf-8")


def approve_pending(repo: GitRepo) -> None:
    """artist-payments renews its expired approval of partners: the pending request is granted."""
    replace(repo, "artist-payments/products/royalty-statements.yaml",
            "      until: 2025-09-30\n      purpose: revenue-share pilot (ended)",
            "      until: 2027-09-30\n      purpose: revenue-share reports, renewed")


def revoke_external(repo: GitRepo) -> None:
    """playlist stops sharing listening-sessions-v2 with the external partner yogaflow."""
    replace(repo, "playlist/products/listening-sessions-v2.yaml",
            "    - principal: arn:aws:iam::444455556666:role/yogaflow-reader\n"
            "      until: 2028-06-30\n"
            "      purpose: partner playlist analytics for yogaflow\n", "")


def extend_until(repo: GitRepo) -> None:
    """listeners extends playlist's grant of listener-profiles to the longest a restricted grant may run (365 days)."""
    replace(repo, "listeners/products/listener-profiles.yaml",
            "    - domain: playlist\n      until: 2027-11-24",
            "    - domain: playlist\n      until: 2027-11-25")


def shorten_retention(repo: GitRepo) -> None:
    """play-events keeps current objects 200 days instead of 400, and old versions 7 days."""
    replace(repo, "player/products/play-events.yaml", "  days: 400\n", "  days: 200\n  noncurrent_days: 7\n")


def retire_product(repo: GitRepo) -> None:
    """listening-sessions (deprecated, replaced by v2) is retired; artists move to v2."""
    replace(repo, "playlist/products/listening-sessions.yaml", "status: deprecated", "status: retired")
    replace(repo, "artists/products/artist-popularity.yaml", "  - product: playlist/listening-sessions\n",
            "  - product: playlist/listening-sessions-v2\n")


def remove_product(repo: GitRepo) -> None:
    """partners removes the file of partner-reports (shared with an external partner), and artists
    drops its request for it (it was never approved)."""
    (repo.domains / "partners/products/partner-reports.yaml").unlink()
    replace(repo, "artists/domain.yaml",
            "  # Asked for, never approved by partners: a pending request (warning DM300).\n"
            "  - product: partners/partner-reports\n"
            "    purpose: see how partner campaigns feature our artists\n", "")


def add_domain(repo: GitRepo) -> None:
    """A new domain, podcasts, with one open product."""
    repo.write_file("domains/podcasts/domain.yaml", """\
apiVersion: datamesh/v1
kind: Domain
name: podcasts
description: Podcast episodes and their listeners.
owner:
  team: Podcasts
  email: podcasts-data@daff.example
  github: "@daff/podcasts"
aws:
  accounts:
    dev: "110000000009"
    prod: "210000000009"
""")
    repo.write_file("domains/podcasts/products/episodes.yaml", """\
apiVersion: datamesh/v1
kind: DataProduct
name: episodes
description: Every published podcast episode.
version: 1.0.0
classification: internal
retention:
  days: 365
schema:
  format: parquet
  fields:
    - {name: episode_id, type: string, required: true}
    - {name: published_at, type: timestamp, required: true}
sharing:
  mode: open
""")


def change_account(repo: GitRepo) -> None:
    """artist-payments (a consumer of three producers) moves its prod account."""
    replace(repo, "artist-payments/domain.yaml", 'prod: "210000000005"', 'prod: "210000000015"')


def change_code(repo: GitRepo) -> None:
    """Only the program changes: the plan diff is empty and says what it cannot show."""
    repo.write_file("components/bucket.py", "BUCKET_VERSIONING = False\n")


def consume_open(repo: GitRepo) -> None:
    """partners starts reading player's open skip-events: only partners' files change, but the
    access point lives in player's stack."""
    replace(repo, "partners/domain.yaml",
            "consumes:\n",
            "consumes:\n  - product: player/skip-events\n    purpose: skips per partner device\n")


CASES: dict[str, Callable[[GitRepo], None]] = {
    "approve-pending": approve_pending,
    "revoke-external": revoke_external,
    "extend-until": extend_until,
    "shorten-retention": shorten_retention,
    "retire-product": retire_product,
    "remove-product": remove_product,
    "add-domain": add_domain,
    "change-account": change_account,
    "change-code": change_code,
    "consume-open": consume_open,
}
