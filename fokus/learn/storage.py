"""How a learned model is stored: arrays and one JSON document in a NumPy ``.npz`` archive, a format that runs no code.

Models used to be joblib files, that is pickles: loading one runs whatever code it names, so whoever could write a
project file, its models folder or the team's database could run code on a colleague's machine, digest or not. A
model is now only what was fitted, as data:

- ``meta``: a JSON document (UTF-8 bytes): the format's name and version, the feature settings
  (:data:`fokus.learn.model.FEATURES`), each feature part's vocabulary in column order, the learnt codes, the
  cross-validated figures per code, the target precision, the number of sentences and folds;
- ``words_idf``, ``chars_idf``: each part's inverse document frequencies;
- ``weights_data``, ``weights_indices``, ``weights_indptr``: the (codes, features) weights as a CSR matrix;
- ``intercepts``, ``platt`` (codes, 2) and ``thresholds`` (NaN where a code is never suggested);
- since format 2, the combiner (:mod:`fokus.learn.combiner`): ``combiner_weights`` (codes, features),
  ``combiner_intercepts``, ``combiner_thresholds`` and ``combiner_pooled``, its codes and features in ``meta``.
  Format 1 files, without it, are still read.

Every entry is written with a fixed time, so the same model is the same bytes (and the same recorded digest).

Reading checks that the bytes are a zip archive holding exactly these members (and no more than :data:`MAX_BYTES`
unpacked), reads them with ``np.load(allow_pickle=False)``, checks every array's type and shape and every JSON
field, and rebuilds the features from vocabularies and idf without scikit-learn
(:class:`fokus.learn.model.SavedFeatures`; its import was most of loading a model): the probabilities are those of
the model that was saved. Anything else, an old pickled model among them, is refused with the reason, and never
unpickled.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import asdict, fields
from typing import Any

import numpy as np

from fokus.i18n import _
from fokus.learn.combiner import FEATURES as COMBINER_FEATURES
from fokus.learn.combiner import Combiner
from fokus.learn.model import FEATURES, CodeScore, TrainedModel, fitted_parts, make_features

FORMAT = "fokus-model"
FORMAT_VERSION = 2  # 2 adds the combiner; version 1 files (no combiner) are still read
SUFFIX = ".npz"
#: What an archive's members may unpack to: a model trained on 20,000 sentences is a few megabytes.
MAX_BYTES = 2 << 30
ZIP_MAGIC = b"PK\x03\x04"
ARRAYS = ("words_idf", "chars_idf", "weights_data", "weights_indices", "weights_indptr", "intercepts", "platt")
MEMBERS = frozenset(f"{name}.npy" for name in ("meta", *ARRAYS, "thresholds"))
COMBINER = ("combiner_weights", "combiner_intercepts", "combiner_thresholds", "combiner_pooled")
COMBINER_MEMBERS = frozenset(f"{name}.npy" for name in COMBINER)


class UnreadableModel(ValueError):
    """Bytes that are not a model fokus saved; the message says why."""


def to_bytes(model: TrainedModel) -> bytes:
    """The model as an .npz archive (see the module)."""
    (word_terms, word_idf), (char_terms, char_idf) = fitted_parts(model.features)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "features": FEATURES,
        "vocabulary": {"words": word_terms, "chars": char_terms},
        "codes": model.codes,
        "scores": [asdict(score) for score in model.scores],
        "target_precision": model.target_precision,
        "sentences": model.sentences,
        "folds": model.folds,
    }
    extra: dict[str, Any] = {}
    if model.combiner is not None:
        meta["combiner"] = {"codes": model.combiner.codes, "features": list(COMBINER_FEATURES)}
        extra = {
            "combiner_weights": model.combiner.weights,
            "combiner_intercepts": model.combiner.intercepts,
            "combiner_thresholds": model.combiner.thresholds,
            "combiner_pooled": model.combiner.pooled.astype(np.uint8),
        }
    weights = model.weights.tocsr()
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=True).encode("ascii"), dtype=np.uint8),
        "words_idf": word_idf,
        "chars_idf": char_idf,
        "weights_data": np.asarray(weights.data, dtype=np.float64),
        "weights_indices": np.asarray(weights.indices, dtype=np.int64),
        "weights_indptr": np.asarray(weights.indptr, dtype=np.int64),
        "intercepts": model.intercepts,
        "platt": model.platt,
        "thresholds": model.thresholds,
        **extra,
    }
    buffer = io.BytesIO()
    # written as np.savez_compressed would, but with a fixed time in every entry: the same model is the same bytes
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def describe(data: bytes) -> str | None:
    """Why ``data`` is plainly no model of this format, from its first bytes alone; None when it may be one."""
    if data.startswith(ZIP_MAGIC):
        return None
    if data[:1] == b"\x80" or data[:2] in (b"x\x01", b"x\x9c", b"x\xda"):  # a pickle; zlib, as joblib compresses
        return _("a pickle, which fokus never loads (older versions of fokus saved models so)")
    return _("not an .npz archive")


def from_bytes(data: bytes) -> TrainedModel:
    """The model saved by :func:`to_bytes`; raises :class:`UnreadableModel` for anything else (see the module)."""
    reason = describe(data)
    if reason is not None:
        raise UnreadableModel(reason)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
        names = [member.filename for member in members]
        if len(names) != len(set(names)) or set(names) not in (MEMBERS, MEMBERS | COMBINER_MEMBERS):
            raise UnreadableModel(_("its archive does not hold a fokus model's arrays"))
        if sum(member.file_size for member in members) > MAX_BYTES:
            raise UnreadableModel(_("its arrays unpack to more than {size} GB").format(size=MAX_BYTES >> 30))
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name[: -len(".npy")]: npz[name[: -len(".npy")]] for name in names}
        return _model(arrays)
    except UnreadableModel:
        raise
    except (ValueError, TypeError, KeyError, OSError, EOFError, zipfile.BadZipFile, RecursionError, MemoryError) as exc:
        first = " ".join(str(exc).split())[:120]
        raise UnreadableModel(
            _("unreadable ({error}: {detail})").format(error=type(exc).__name__, detail=first)
        ) from exc


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise UnreadableModel(what)


def _array(arrays: dict[str, Any], name: str, kind: str, shape: tuple[int | None, ...]) -> Any:
    """``arrays[name]``, checked: its kind of number (NumPy's ``dtype.kind``: "f", "i" or "u") and its shape
    (None: any length)."""
    array = arrays[name]
    fits = len(array.shape) == len(shape) and all(w is None or w == n for w, n in zip(shape, array.shape, strict=True))
    _check(array.dtype.kind in kind and fits, _("its {name} has the wrong type or shape").format(name=name))
    if kind == "f":
        finite = bool(np.isfinite(array).all()) or name.endswith("thresholds")
        _check(finite, _("its {name} is not finite").format(name=name))
    return array


def _strings(value: Any, what: str) -> list[str]:
    _check(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        _("its list {name} holds more than strings").format(name=what),
    )
    _check(len(set(value)) == len(value), _("its list {name} repeats itself").format(name=what))
    return list(value)


def _number(value: Any, what: str, low: float, high: float, whole: bool = False, **names: str) -> Any:
    """``value``, checked to be a number from ``low`` to ``high``; ``what`` says which, with its ``{value}``."""
    kinds = (int,) if whole else (int, float)
    ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value) and low <= value <= high
    if not ok:
        raise UnreadableModel(what.format(value=str(value)[:20], **names))
    return value


def _score(value: Any) -> CodeScore:
    names = [f.name for f in fields(CodeScore)]
    _check(isinstance(value, dict) and sorted(value) == sorted(names), _("a code's figures are not fokus's"))
    _check(isinstance(value["code"], str), _("a code's figures name no code"))
    for name in ("examples", "positives"):
        _number(value[name], _("its figure {name} ({value}) is out of range"), 0, 2**62, whole=True, name=name)
    for name in ("threshold", "precision", "recall", "f1"):
        if value[name] is not None:
            _number(value[name], _("its figure {name} ({value}) is out of range"), 0, 1, name=name)
    _check(value["skipped"] is None or isinstance(value["skipped"], str), _("a code's note is not text"))
    return CodeScore(**value)


def _model(arrays: dict[str, Any]) -> TrainedModel:
    from scipy import sparse

    raw = _array(arrays, "meta", "u", (None,))
    _check(raw.dtype == np.uint8, _("its meta is not text"))
    meta = json.loads(raw.tobytes().decode("utf-8"))
    _check(isinstance(meta, dict), _("its meta is not a JSON object"))
    _check(meta.get("format") == FORMAT, _("it is not a fokus model"))
    version = meta.get("format_version")
    _check(version in (1, FORMAT_VERSION), _("it is format version {version!r}").format(version=version))
    _check(meta.get("features") == FEATURES, _("it was made with other feature settings"))
    vocabulary = meta.get("vocabulary")
    _check(isinstance(vocabulary, dict) and sorted(vocabulary) == ["chars", "words"], _("it holds no vocabulary"))
    parts = []
    for part in ("words", "chars"):
        terms = _strings(vocabulary[part], f"vocabulary.{part}")
        parts.append((terms, _array(arrays, f"{part}_idf", "f", (len(terms),))))
    codes = _strings(meta.get("codes"), "codes")
    scores = meta.get("scores")
    _check(isinstance(scores, list), _("its figures are not a list"))
    width = sum(len(terms) for terms, _idf in parts)
    data = _array(arrays, "weights_data", "f", (None,))
    indices = _array(arrays, "weights_indices", "iu", (len(data),))
    indptr = _array(arrays, "weights_indptr", "iu", (len(codes) + 1,))
    weights = sparse.csr_matrix((data, indices, indptr), shape=(len(codes), width))
    weights.check_format(full_check=True)
    thresholds = _array(arrays, "thresholds", "f", (len(codes),))
    _check(bool(((thresholds >= 0) & (thresholds <= 1) | np.isnan(thresholds)).all()), _("its thresholds are not 0-1"))
    return TrainedModel(
        make_features(parts),
        codes,
        weights,
        np.asarray(_array(arrays, "intercepts", "f", (len(codes),)), dtype=np.float64),
        np.asarray(_array(arrays, "platt", "f", (len(codes), 2)), dtype=np.float64),
        np.asarray(thresholds, dtype=np.float64),
        [_score(score) for score in scores],
        _number(meta.get("target_precision"), _("its target precision ({value}) is out of range"), 0, 1),
        _number(meta.get("sentences"), _("its number of sentences ({value}) is out of range"), 0, 2**62, whole=True),
        _number(meta.get("folds"), _("its number of folds ({value}) is out of range"), 2, 2**62, whole=True),
        combiner=_combiner(arrays, meta),
    )


def _combiner(arrays: dict[str, Any], meta: dict[str, Any]) -> Combiner | None:
    """The combiner saved with the model (format 2), checked as the rest; None when there is none."""
    if "combiner_weights" not in arrays:
        _check("combiner" not in meta, _("its combiner's arrays are missing"))
        return None
    described = meta.get("combiner")
    if not isinstance(described, dict) or described.get("features") != list(COMBINER_FEATURES):
        raise UnreadableModel(_("its combiner was made with other features"))
    codes = _strings(described.get("codes"), "combiner.codes")
    n, width = len(codes), len(COMBINER_FEATURES)
    thresholds = _array(arrays, "combiner_thresholds", "f", (n,))
    _check(bool(((thresholds >= 0) & (thresholds <= 1) | np.isnan(thresholds)).all()), _("its thresholds are not 0-1"))
    pooled = _array(arrays, "combiner_pooled", "u", (n,))
    _check(bool((pooled <= 1).all()), _("its combiner's pooled flags are not 0 or 1"))
    return Combiner(
        codes,
        np.asarray(_array(arrays, "combiner_weights", "f", (n, width)), dtype=np.float64),
        np.asarray(_array(arrays, "combiner_intercepts", "f", (n,)), dtype=np.float64),
        np.asarray(thresholds, dtype=np.float64),
        pooled.astype(bool),
    )
