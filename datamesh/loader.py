"""Read a ``domains/`` tree into spec models, collecting every problem on the way.

The loader never raises for bad input: each file that cannot be read, parsed or validated
adds diagnostics to the report and is left out of the result, so one run reports all files.
Only a ``--domains`` path that is not a directory is a usage error (``UsageError``).
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from datamesh.diagnostics import Report
from datamesh.errors import UsageError
from datamesh.parsecache import MISSING, ParseCache, content_key
from datamesh.source import FILESYSTEM, Entry, TreeSource
from datamesh.sourcemap import MESH_KEY, Source, SourceMap
from datamesh.spec.models import API_VERSION, DataProduct, Domain, Mesh
from datamesh.yamlsource import Path, Positions, YamlError, read_yaml

M = TypeVar("M", bound=BaseModel)

MESH_FILE = "mesh.yaml"
DOMAIN_FILE = "domain.yaml"
PRODUCTS_DIR = "products"
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Loaded(Generic[M]):
    """A validated model with its source: the file it came from and the positions of its values."""

    model: M
    source: Source

    @property
    def file(self) -> str:
        return self.source.file

    def at(self, *path: str | int) -> tuple[int, int]:
        return self.source.at(*path)

    def key_at(self, *path: str | int) -> tuple[int, int]:
        return self.source.key_at(*path)


@dataclass(slots=True)
class LoadedTree:
    """Everything that loaded cleanly from one ``domains/`` directory."""

    root: str
    mesh: Loaded[Mesh] | None = None
    domains: dict[str, Loaded[Domain]] = field(default_factory=dict)
    """By folder name (equal to the domain name once DM010 passes)."""
    products: dict[str, dict[str, Loaded[DataProduct]]] = field(default_factory=dict)
    """Domain folder → product file stem → product."""
    broken: set[str] = field(default_factory=set)
    """Domains and ``<domain>/<product>`` whose files exist but failed to load: references to
    them are not reported again as unknown."""
    files_read: int = 0

    def source_map(self) -> SourceMap:
        """Where the mesh, each domain and each product that loaded was written."""
        sources = {name: loaded.source for name, loaded in self.domains.items()}
        sources.update((f"{d}/{p}", loaded.source) for d, by in self.products.items()
                       for p, loaded in by.items())
        if self.mesh is not None:
            sources[MESH_KEY] = self.mesh.source
        return SourceMap(sources)


def load_tree(root: str, report: Report, source: TreeSource = FILESYSTEM,
              cache: ParseCache | None = None) -> LoadedTree:
    """Load ``root`` (the ``domains/`` directory) from ``source`` (default: the filesystem);
    problems go to ``report``. Symbolic links are reported (DM014), never followed. With a
    ``cache``, files whose bytes parsed before are not parsed again (the same values result)."""
    if not source.root_is_dir(root):
        raise UsageError(f"--domains {root}: not a directory",
                         "point --domains at the folder that holds mesh.yaml")
    tree = LoadedTree(root=root)
    mesh_path = os.path.join(root, MESH_FILE)
    mesh_kind = source.kind(mesh_path)
    if mesh_kind == "file":
        tree.mesh = load_file(mesh_path, Mesh, report, source, cache)
        tree.files_read += 1
    elif mesh_kind != "symlink":  # a link is reported below, as every link is
        report.add(mesh_path, (1, 1), "DM013", "-", "mesh.yaml is missing",
                   "create domains/mesh.yaml (kind Mesh) owned by the platform team")

    for entry in source.entries(root):
        if entry.name.startswith("."):
            continue
        if entry.kind == "symlink":
            _symlink(report, source, entry.path)
            if entry.name != MESH_FILE:
                tree.broken.add(entry.name)
        elif entry.kind == "dir":
            _load_domain_dir(tree, entry.path, entry.name, report, source, cache)
        elif entry.name != MESH_FILE and entry.name.endswith(_YAML_SUFFIXES):
            _outside_layout(report, entry.path)
    return tree


def _load_domain_dir(tree: LoadedTree, path: str, folder: str, report: Report, source: TreeSource,
                     cache: ParseCache | None) -> None:
    domain_path = os.path.join(path, DOMAIN_FILE)
    domain_kind = source.kind(domain_path)
    if domain_kind == "file":
        tree.files_read += 1
        domain = load_file(domain_path, Domain, report, source, cache)
        if domain is not None:
            if domain.model.name != folder:
                report.add(domain_path, domain.at("name"), "DM010", "name",
                           f"domain name {domain.model.name!r} does not match its folder {folder!r}",
                           f"rename the folder to {domain.model.name!r} or set `name: {folder}`")
            else:
                tree.domains[folder] = domain
        if folder not in tree.domains:
            tree.broken.add(folder)
    else:
        tree.broken.add(folder)
        if domain_kind != "symlink":  # a link is reported below, as every link is
            report.add(domain_path, (1, 1), "DM013", "-",
                       f"domain folder {folder!r} has no domain.yaml",
                       f"create it with `mesh new domain {folder}` or remove the folder")
    products: dict[str, Loaded[DataProduct]] = {}
    for entry in source.entries(path):
        if entry.name.startswith("."):
            continue
        if entry.kind == "symlink":
            _symlink(report, source, entry.path)
        elif entry.kind == "dir" and entry.name == PRODUCTS_DIR:
            for product_entry in source.entries(entry.path):
                if product_entry.name.startswith("."):
                    continue
                if product_entry.kind == "symlink":
                    _symlink(report, source, product_entry.path)
                    if product_entry.name.endswith(".yaml"):
                        tree.broken.add(f"{folder}/{product_entry.name[: -len('.yaml')]}")
                elif product_entry.kind == "file" and product_entry.name.endswith(".yaml"):
                    tree.files_read += 1
                    stem = product_entry.name[: -len(".yaml")]
                    product = load_file(product_entry.path, DataProduct, report, source, cache)
                    if product is None:
                        tree.broken.add(f"{folder}/{stem}")
                        continue
                    if product.model.name != stem:
                        report.add(product_entry.path, product.at("name"), "DM010", "name",
                                   f"product name {product.model.name!r} does not match its file "
                                   f"{product_entry.name!r}",
                                   f"rename the file to {product.model.name}.yaml or set `name: {stem}`")
                        tree.broken.add(f"{folder}/{stem}")
                        continue
                    products[stem] = product
                else:
                    _walk_outside_layout(report, source, product_entry)
        elif entry.name != DOMAIN_FILE:
            _walk_outside_layout(report, source, entry)
    tree.products[folder] = products


def _walk_outside_layout(report: Report, source: TreeSource, entry: Entry) -> None:
    """Report the YAML files (and the links) under an entry the layout does not know.

    Hidden folders are skipped; an unreadable folder is skipped silently (as ``os.walk`` does).
    """
    if entry.kind == "dir":
        try:
            children = source.entries(entry.path)
        except OSError:
            return
        for child in children:
            if child.kind in ("dir", "symlink") and child.name.startswith("."):
                continue
            if child.kind == "symlink":
                _symlink(report, source, child.path)
            elif child.kind == "dir":
                _walk_outside_layout(report, source, child)
            elif child.name.endswith(_YAML_SUFFIXES):
                _outside_layout(report, child.path)
    elif entry.kind == "symlink":
        _symlink(report, source, entry.path)
    elif entry.path.endswith(_YAML_SUFFIXES):
        _outside_layout(report, entry.path)


_MAX_SHOWN_TARGET = 200


def _symlink(report: Report, source: TreeSource, path: str) -> None:
    target = source.link_target(path)
    if len(target) > _MAX_SHOWN_TARGET:
        target = target[:_MAX_SHOWN_TARGET] + "…"
    report.add(path, (1, 1), "DM014", "-",
               f"symbolic link to {target!r}: not followed, nothing is read through it")


def _outside_layout(report: Report, path: str) -> None:
    hint = None
    if path.endswith(".yml"):
        hint = "spec files end in .yaml: rename the file"
    report.add(path, (1, 1), "DM009", "-", "YAML file outside the domains/ layout; it is not read", hint)


def load_file(path: str, model: type[M], report: Report, source: TreeSource = FILESYSTEM,
              cache: ParseCache | None = None) -> Loaded[M] | None:
    """Read, parse and validate one spec file; ``None`` (with diagnostics) when it fails."""
    try:
        raw = source.read(path)
        text = raw.decode("utf-8")
    except OSError as exc:
        report.add(path, (1, 1), "DM001", "-", f"cannot read the file: {exc.strerror}")
        return None
    except UnicodeDecodeError as exc:
        report.add(path, (1, 1), "DM001", "-", f"the file is not UTF-8 text (byte {exc.start})",
                   "save the file as UTF-8")
        return None
    if cache is None:
        return load_text(path, text, model, report)
    key = content_key(raw)
    data = cache.get(key)
    if data is MISSING:
        parsed = _parse(path, text, report)
        if parsed is None:
            return None  # problems are never cached: the file is parsed (and reported) every time
        cache.put(key, parsed[0])
        return _validate(path, *parsed, model, report)
    return _validate(path, data, Positions(text), model, report)


def load_text(path: str, text: str, model: type[M], report: Report) -> Loaded[M] | None:
    """Parse and validate spec text that claims to be ``path``."""
    parsed = _parse(path, text, report)
    return None if parsed is None else _validate(path, *parsed, model, report)


def _parse(path: str, text: str, report: Report) -> tuple[Any, Positions] | None:
    try:
        return read_yaml(text)
    except YamlError as exc:
        p = exc.problem
        report.add(path, (p.line, p.col), p.code, p.field, p.message, p.hint)
        return None


def _validate(path: str, data: Any, positions: Positions, model: type[M], report: Report) -> Loaded[M] | None:
    """Check the parsed values of one file against ``model``."""
    if data is None:
        report.add(path, (1, 1), "DM004", "-", "the file is empty")
        return None
    if not isinstance(data, dict):
        report.add(path, positions.of_value(()), "DM005", "-",
                   f"expected a mapping, got a {_yaml_kind(data)}")
        return None
    if not _header_ok(path, data, positions, model, report):
        return None
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        add_validation_errors(report, path, positions, model, exc)
        return None
    return Loaded(validated, Source(path, positions))


def _header_ok(path: str, data: dict[str, Any], positions: Positions, model: type[BaseModel],
               report: Report) -> bool:
    """apiVersion and kind first: a wrong kind would otherwise drown in follow-on errors."""
    expected_kind = model.__name__
    api = data.get("apiVersion")
    if api != API_VERSION:
        where = positions.of_value(("apiVersion",)) if "apiVersion" in data else positions.of_value(())
        got = "it is missing" if "apiVersion" not in data else f"got {api!r}"
        report.add(path, where, "DM011", "apiVersion", f"expected {API_VERSION!r}, {got}")
        return False
    kind = data.get("kind")
    if kind != expected_kind:
        where = positions.of_value(("kind",)) if "kind" in data else positions.of_value(())
        got = "it is missing" if "kind" not in data else f"got {kind!r}"
        report.add(path, where, "DM012", "kind",
                   f"{os.path.basename(path)} at this place must be kind {expected_kind!r}, {got}")
        return False
    return True


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


# --- pydantic errors → diagnostics -------------------------------------------------------------

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}
_RANGE = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}


def field_path(loc: Path) -> str:
    """``('sharing', 'approved', 0, 'until')`` → ``sharing.approved[0].until``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "-"


def add_validation_errors(report: Report, path: str, positions: Positions, model: type[BaseModel],
                          exc: ValidationError) -> None:
    for err in exc.errors(include_url=False):
        loc: tuple[str | int, ...] = tuple(err["loc"])
        kind = err["type"]
        # pydantic appends "[key]" to the loc of an invalid dict *key*; a user's key spelt
        # "[key]" (unknown or missing) must not be mistaken for that marker.
        is_key = bool(loc) and loc[-1] == "[key]" and kind not in ("extra_forbidden", "missing")
        if is_key:
            loc = loc[:-1]
        value = err.get("input")
        ctx = err.get("ctx") or {}
        where = positions.of_key(loc) if is_key else positions.of_value(loc)
        fpath = field_path(loc)
        if kind.startswith("DM"):
            report.add(path, where, kind, fpath, err["msg"], ctx.get("hint"))
        elif kind == "missing":
            report.add(path, positions.of_value(loc[:-1]), "DM101", fpath,
                       f"required field {loc[-1]!r} is missing")
        elif kind == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = (f"did you mean {close[0]!r}? " if close else "") + (
                f"allowed here: {', '.join(allowed)}" if allowed else "")
            report.add(path, positions.of_key(loc), "DM100", fpath, f"unknown key {loc[-1]!r}",
                       hint or None)
        elif kind == "literal_error":
            report.add(path, where, "DM103", fpath,
                       f"expected one of {ctx.get('expected')}, got {_show(value)}")
        elif kind in _RANGE:
            bound = next(v for k, v in ctx.items())
            report.add(path, where, "DM107", fpath,
                       f"must be {_RANGE[kind]} {bound}, got {_show(value)}")
        elif kind == "too_short":
            report.add(path, where, "DM107", fpath,
                       f"must list at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}",
                       "add the missing entries")
        elif kind == "too_long":
            report.add(path, where, "DM107", fpath,
                       f"may list at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}",
                       "remove entries")
        elif kind in _TYPE_NAMES:
            report.add(path, where, "DM102", fpath,
                       f"expected {_TYPE_NAMES[kind]}, got {_show(value)}")
        else:  # any other pydantic check: keep its message, still a clean diagnostic
            report.add(path, where, "DM118", fpath, err["msg"])


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a mapping at ``loc`` accepts, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[-1] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
            current = info.annotation if info else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip ``X | None`` and ``Annotated`` so we can walk into the model."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0]
        else:
            return annotation
