"""The stable diagnostic codes: the one place they are defined.

Codes are part of the public contract (CI scripts grep for them), so a code is never reused
for another meaning. ``docs/errors.md`` is generated from this table (`mesh codes`) and a
test keeps it in sync.

Ranges: DM0xx files and YAML; DM1xx a field of one file; DM2xx references across files;
DM3xx grant decisions; DM4xx the plan (AWS size budgets); DM60x reading a prebuilt catalog;
DM63x the discovery endpoint (`mesh serve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Literal["error", "warning"]
    title: str
    hint: str


_TABLE: tuple[Code, ...] = (
    # --- files and YAML --------------------------------------------------------------------
    Code("DM001", "error", "file cannot be read or is too large",
         "spec files are small UTF-8 text files; split or fix the file"),
    Code("DM002", "error", "malformed YAML",
         "fix the YAML syntax at the position shown (indentation, quotes, colons)"),
    Code("DM003", "error", "repeated key",
         "remove one of the two entries; YAML would silently keep only the last"),
    Code("DM004", "error", "empty file",
         "write the spec (see `mesh new`) or delete the file"),
    Code("DM005", "error", "document is not a mapping",
         "a spec file is a mapping that starts with `apiVersion: datamesh/v1`"),
    Code("DM006", "error", "YAML tag not allowed",
         "remove the tag: spec files hold plain strings, numbers, booleans, lists and mappings"),
    Code("DM007", "error", "YAML too deeply nested or aliases expand too far",
         "write the values out; anchors and aliases may not expand into huge documents"),
    Code("DM008", "error", "more than one YAML document",
         "keep one document per file (remove the `---` separators)"),
    Code("DM009", "error", "file outside the layout",
         "the layout is domains/mesh.yaml, domains/<domain>/domain.yaml and "
         "domains/<domain>/products/<product>.yaml"),
    Code("DM010", "error", "name does not match its folder or file",
         "a domain's name equals its folder, a product's name equals its file stem"),
    Code("DM011", "error", "wrong apiVersion",
         "write `apiVersion: datamesh/v1` as the first line"),
    Code("DM012", "error", "wrong kind for this file",
         "mesh.yaml is kind Mesh, domain.yaml kind Domain, products/*.yaml kind DataProduct"),
    Code("DM013", "error", "required file missing",
         "every mesh has domains/mesh.yaml and every domain folder a domain.yaml"),
    Code("DM014", "error", "symbolic link",
         "replace the link with the file or folder itself: links are never followed "
         "(one could point outside the reviewed tree)"),
    # --- fields of one file ----------------------------------------------------------------
    Code("DM100", "error", "unknown key",
         "remove the key or fix its spelling; see the JSON Schema in schemas/"),
    Code("DM101", "error", "required field missing",
         "add the field; see the JSON Schema in schemas/"),
    Code("DM102", "error", "wrong type", "write a value of the expected type"),
    Code("DM103", "error", "value not allowed", "use one of the allowed values"),
    Code("DM104", "error", "invalid name",
         "names are lowercase slugs: a letter, then letters, digits and single dashes"),
    Code("DM105", "error", "invalid AWS account id",
         "write the account id as a quoted string of 12 digits, e.g. \"012345678901\"; "
         "unquoted, YAML drops leading zeros or reads octal"),
    Code("DM106", "error", "invalid date", "write dates as YYYY-MM-DD, e.g. 2027-06-30"),
    Code("DM107", "error", "number out of range", "use a number inside the allowed range"),
    Code("DM108", "error", "invalid version", "use semantic versioning MAJOR.MINOR.PATCH, e.g. 1.2.0"),
    Code("DM109", "error", "invalid duration",
         "write a duration as a number and a unit: 15m, 1h or 1d"),
    Code("DM110", "error", "approval names neither or both of domain and principal",
         "an approval names exactly one of `domain:` (a mesh domain) or `principal:` (a role ARN)"),
    Code("DM111", "error", "invalid principal",
         "grants go to IAM roles: arn:aws:iam::<12-digit account>:role/<name>"),
    Code("DM112", "error", "invalid product reference",
         "refer to a product as <domain>/<product>, e.g. player/play-events"),
    Code("DM113", "error", "archive_after_days must be less than days",
         "archive before objects expire, or drop archive_after_days"),
    Code("DM114", "error", "deprecated product without deprecation",
         "add `deprecation: {sunset: YYYY-MM-DD}` (and `replaced_by` if there is a successor)"),
    Code("DM115", "error", "restricted product shared openly",
         "restricted products use `sharing.mode: approval` with dated approvals"),
    Code("DM116", "error", "approval of a restricted product without until",
         "add `until: YYYY-MM-DD`: access to restricted data must end"),
    Code("DM117", "error", "repeated entry",
         "list each entry once"),
    Code("DM118", "error", "invalid value", "fix the value as the message says"),
    Code("DM119", "error", "value AWS does not allow in a tag",
         "the value is written in a tag of the mesh's resources: AWS tag values allow at most 256 "
         "letters, digits, spaces and _ . : / = + - @"),
    Code("DM120", "error", "principal in another AWS partition",
         "the mesh plans the aws partition; IAM never grants across partitions"),
    Code("DM121", "error", "region outside the aws partition",
         "use a region of the aws partition (the mesh writes arn:aws: ARNs only)"),
    Code("DM122", "error", "name AWS reserves",
         "choose a mesh name (or environment) whose bucket names and key aliases AWS does not reserve"),
    Code("DM123", "error", "CODEOWNERS out of date with the specs",
         "regenerate it with `mesh codeowners --platform-owner @ORG/TEAM` (your own lines between the markers are "
         "kept)"),
    Code("DM124", "error", "a tracked file without the code owner the specs require",
         "every file needs an owner; a domain folder's files its owners alone, the program, components, policy "
         "pack, bootstrap, CI and mesh.yaml the platform team alone: fix or remove your own line that says "
         "otherwise"),
    Code("DM125", "error", "CODEOWNERS line GitHub cannot read",
         "GitHub's patterns are gitignore's without !, [ ] and \\ escapes; owners are @user, @org/team or an "
         "email; the file must be under 3 MB"),
    Code("DM126", "error", "CODEOWNERS file GitHub does not use",
         "keep one CODEOWNERS file, at .github/CODEOWNERS (GitHub reads .github/, the root, then docs/ and uses "
         "the first it finds)"),
    Code("DM127", "error", "owner-less CODEOWNERS pattern under a domain folder",
         "a pattern with no owners un-owns what it matches; a domain folder's files belong to its owners: "
         "remove the line"),
    # --- references across files -------------------------------------------------------------
    Code("DM200", "error", "reference to an unknown product",
         "check the <domain>/<product> spelling against the files under domains/"),
    Code("DM201", "error", "reference to an unknown domain",
         "check the domain name against the folders under domains/"),
    Code("DM202", "error", "account missing for an environment",
         "give the domain an account for every environment listed in mesh.yaml"),
    Code("DM203", "error", "principal's account is not a registered external account",
         "mesh domains are granted with `domain:`; other accounts must be listed in "
         "mesh.yaml `external_accounts` by the platform team first"),
    Code("DM204", "error", "a domain requests its own product",
         "a domain already owns its products: remove the entry"),
    Code("DM205", "warning", "accounts shared between domains",
         "give each domain its own account: isolation then rests on IAM inside one account"),
    Code("DM206", "error", "account for an unknown environment",
         "list only the environments of mesh.yaml"),
    Code("DM207", "warning", "domain without owner.github",
         "add `owner.github: \"@org/team\"` so CODEOWNERS can require the owner's review"),
    Code("DM208", "warning", "product without schema",
         "add a `schema:` block so consumers know what they read"),
    Code("DM209", "error", "external account clashes with a mesh account",
         "an account is either a mesh account (domain or platform) or an external one"),
    # --- grant decisions ---------------------------------------------------------------------
    Code("DM300", "warning", "pending access request",
         "the producing domain approves by adding the consumer to `sharing.approved`"),
    Code("DM301", "warning", "approval expired",
         "the producer extends `until`, or removes the approval"),
    Code("DM302", "warning", "request to a product that grants nothing",
         "only active and deprecated products that are not private can be read by others"),
    Code("DM303", "warning", "approvals on a private product",
         "private products grant nothing: remove the approvals or change `sharing.mode`"),
    Code("DM304", "warning", "approval nobody requested",
         "the consumer domain asks through an `inputs` entry or its `consumes`; "
         "or remove the approval"),
    Code("DM305", "warning", "deprecated product past its sunset",
         "retire it: set `status: retired` (its data is kept, its access removed)"),
    # --- plan budgets --------------------------------------------------------------------------
    Code("DM400", "warning", "policy near its AWS size limit",
         "the document is above 80% of its AWS limit; split the product or its consumers"),
    Code("DM401", "error", "policy over its AWS size limit",
         "AWS would reject this document; split the product or its consumers"),
    Code("DM402", "error", "two resources would get the same physical name",
         "rename one of the two products or domains named in the message"),
    Code("DM410", "error", "two resources would get the same logical name",
         "a bug of the naming scheme (docs/resources.md): report it; meanwhile rename one of the two"),
    Code("DM411", "error", "a planned name or tag value AWS would reject",
         "a bug of the validation (the spec should have been rejected): report it with the message"),
    # --- deploy time: changes that delete data -------------------------------------------------
    Code("DM470", "error", "a change that deletes data or moves storage, not acknowledged",
         "review the change (mesh diff flags it); if intended, acknowledge exactly it in the stack config: "
         "datamesh:acknowledge {subject, change, from, to} (docs/deleting-data.md)"),
    Code("DM471", "warning", "an acknowledgement that matches no change",
         "remove the datamesh:acknowledge entry: an acknowledgement covers one change, once"),
    # --- prebuilt catalogs (mesh catalog --output/--shards, read by the discovery endpoint) ----
    Code("DM600", "error", "not a catalog",
         "give a file written by `mesh catalog --output FILE`, or a directory written by "
         "`mesh catalog --shards DIR`"),
    Code("DM601", "error", "malformed catalog",
         "rebuild it with `mesh catalog --output FILE` (or `--shards DIR`) from the same tool version"),
    Code("DM602", "error", "catalog shards incomplete or of different versions",
         "the manifest names shards that are missing or differ; wait for the update to finish, or "
         "rewrite the directory with `mesh catalog --shards DIR`"),
    Code("DM603", "error", "catalog cannot be read",
         "check the path and its permissions"),
    # --- the discovery endpoint (mesh serve) ------------------------------------------------
    Code("DM630", "warning", "the served catalog changed but cannot be loaded: the previous one is still served",
         "fix the catalog named in the diagnostics that follow (or the specs); the server reloads it when it "
         "changes again"),
    Code("DM631", "warning", "a server worker exited unexpectedly and was replaced",
         "the lines before it say why; report it with them if it repeats"),
    # --- the discovery endpoint's deployment (mesh plan, the platform stack) -----------------
    Code("DM650", "error", "the catalog does not fit Kubernetes ConfigMaps",
         "one product's catalog entry alone is over a ConfigMap's budget (docs/deploying.md): "
         "shorten its descriptions or schema, or split the product"),
)

CODES: dict[str, Code] = {c.code: c for c in _TABLE}


def render_markdown() -> str:
    """The reference page docs/errors.md, generated from the table above."""
    lines = [
        "# Diagnostic codes",
        "",
        "Generated by `mesh codes > docs/errors.md`; do not edit by hand.",
        "Every problem `mesh validate` reports has one of these stable codes. Codes are never",
        "reused for another meaning.",
        "",
        "| code | severity | meaning | default hint |",
        "|---|---|---|---|",
    ]
    for c in _TABLE:
        hint = c.hint.replace("|", "\\|")
        lines.append(f"| {c.code} | {c.severity} | {c.title} | {hint} |")
    return "\n".join(lines) + "\n"
