"""A small corpus of real English sentences that needs no download: Python's own documentation.

Text GANs are usually shown on corpora that must be downloaded (EMNLP news, COCO captions).
For tests, examples and a first run offline, `python_docs_sentences` takes sentences from two
texts that every CPython installation ships:

- `"topics"`: `pydoc_data.topics.topics`, the language reference's help pages that `help()`
  shows (about 465,000 characters in Python 3.11; 876 sentences of 5-20 words);
- `"docstrings"`: the docstrings of the standard library's pure-Python modules (about 1.6
  million characters, read with `ast`, nothing imported; about 6,300 more such sentences).

Together, in Python 3.11: 7,166 sentences of 5-20 words, 5,210 distinct words.

Both are part of Python, under the Python Software Foundation License
(https://docs.python.org/3/license.html), which permits copying and derived works. They vary
with the Python version, so the corpus is deterministic for one Python, not across versions.

The sentences are prose: code examples, grammar rules, headings and sentences with code in them
(calls, CamelCase names, `--` options) are left out, typographic quotes and dashes become ASCII,
reST emphasis (`*name*`) is unwrapped, and repeats are dropped.

Example:

```python
sentences = kgan.data.python_docs_sentences(max_words=20)
train, vocabulary = kgan.data.from_text_lines(sentences[:-500], max_length=21)
test, _ = kgan.data.from_text_lines(sentences[-500:], 21, vocabulary=vocabulary)
```
"""

import ast
import functools
import os
import random
import re
import sysconfig
import warnings

SOURCES = ("topics", "docstrings")
# Folders of the standard library that hold tests, demos or code written in another dialect.
SKIPPED_FOLDERS = {
    "__pycache__",
    "dist-packages",
    "idlelib",
    "lib2to3",
    "site-packages",
    "test",
    "tests",
    "turtledemo",
}
# A sentence ends at . ! or ? before whitespace and a capital letter or an opening quote.
SENTENCE_END = re.compile(r'(?<=[.!?])\s+(?=["A-Z])')
# A prose sentence: a capital, then only letters, digits and ordinary punctuation, then a full
# stop or question mark after a word. Dots inside (`os.path`), underscores (`__init__`),
# brackets, operators and asterisks mark code.
PROSE = re.compile(r'[A-Z][A-Za-z0-9 ,;:\'"()\-]*[a-z0-9")][.?]')
# CamelCase and ALLCaps-then-lower words are identifiers (`TypeError`, `HTTPServer`), and a
# bracket straight after a word is a call (`range(0,256)`).
IDENTIFIER = re.compile(r"[a-z][A-Z]|[A-Z]{2,}[a-z]|[A-Za-z0-9]\(")
EMPHASIS = re.compile(r"\*{1,2}([A-Za-z][A-Za-z0-9 \-]*)\*{1,2}")
TO_ASCII = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
TO_ASCII.update(str.maketrans({"\u2014": " - ", "\u2013": "-", "\u2026": "..."}))
# The fixed order the sentences are returned in, so that a slice is a fair sample.
ORDER_SEED = 0


def python_docs_sentences(min_words=5, max_words=20, sources=SOURCES):
    """English sentences from Python's bundled documentation, deterministic and offline.

    Args:
        min_words: Leave out sentences of fewer words. Defaults to `5`.
        max_words: Leave out sentences of more words. Defaults to `20`.
        sources: Which texts to read: `"topics"` (`pydoc_data`'s help pages) and/or
            `"docstrings"` (the standard library's). Defaults to both.

    Returns:
        A list of unique ASCII sentences, each ending with `.` or `?`, in a fixed shuffled
        order (so `sentences[-500:]` is a fair held-out sample).

    Example:

    ```python
    sentences = python_docs_sentences(max_words=12)
    sentences[0]  # e.g. 'Numeric objects are immutable; once created their value never changes.'
    ```
    """
    if not 1 <= int(min_words) <= int(max_words):
        raise ValueError(
            f"Need 1 <= min_words <= max_words; got min_words={min_words}, max_words={max_words}."
        )
    sources = (sources,) if isinstance(sources, str) else tuple(sources)
    unknown = [source for source in sources if source not in SOURCES]
    if unknown or not sources:
        raise ValueError(f"sources must be some of {SOURCES}; got {sources!r}.")
    kept, seen = [], set()
    for source in SOURCES:  # a fixed order, whatever the order asked
        if source not in sources:
            continue
        for sentence in _sentences(source):
            if min_words <= len(sentence.split()) <= max_words and sentence not in seen:
                seen.add(sentence)
                kept.append(sentence)
    random.Random(ORDER_SEED).shuffle(kept)
    return kept


@functools.cache
def _sentences(source):
    """Every prose sentence of `source`, of any length, in reading order (cached: the
    docstrings take seconds to parse)."""
    texts = _topics() if source == "topics" else _docstrings()
    return tuple(sentence for text in texts for sentence in sentences_of(text))


def _topics():
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    return [topics[key] for key in sorted(topics)]


def _docstrings():
    """The docstrings of the standard library's modules, classes and functions, file by file."""
    library = sysconfig.get_paths()["stdlib"]
    texts = []
    for folder, subfolders, files in os.walk(library):
        subfolders[:] = sorted(
            name for name in subfolders if name not in SKIPPED_FOLDERS and name[:1] != "."
        )
        for name in sorted(files):
            if name.endswith(".py"):
                texts.extend(_docstrings_of(os.path.join(folder, name)))
    return texts


def _docstrings_of(path):
    try:
        with open(path, encoding="utf-8") as file, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in old files warn when parsed
            tree = ast.parse(file.read())
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    definitions = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    nodes = (node for node in ast.walk(tree) if isinstance(node, definitions))
    return [text for text in map(ast.get_docstring, nodes) if text]


def sentences_of(text):
    """The prose sentences of one help text or docstring, in order (see the module's rules)."""
    sentences = []
    for block in _paragraphs(text):
        joined = " ".join(block)
        if block[0].startswith((">>>", "...")) or "::=" in joined:
            continue  # an interactive example or a grammar rule
        if set(block[-1]) <= set("*=-~^"):
            continue  # a heading, underlined
        joined = EMPHASIS.sub(r"\1", joined.translate(TO_ASCII))
        for sentence in SENTENCE_END.split(joined):
            sentence = " ".join(sentence.split())
            if _is_prose(sentence):
                sentences.append(sentence)
    return sentences


def _paragraphs(text):
    """Blocks of stripped, non-blank lines, split at blank lines."""
    block = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield block
            block = []


def _is_prose(sentence):
    if not sentence.isascii() or "()" in sentence or "--" in sentence:
        return False
    if not PROSE.fullmatch(sentence) or IDENTIFIER.search(sentence):
        return False
    # Single quotes other than in "it's" and "don't" quote code ('utf-8', 'r').
    return "'" not in sentence.replace("'s ", " ").replace("n't", "")
