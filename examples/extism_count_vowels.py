# ruff: noqa: I001 -- the program's own import order is kept as the documentation has it
"""The count-vowels host program from the Extism Python SDK's documentation, run by zerowasm.

This is Extism's "Getting Started" host (https://extism.readthedocs.io, usage.html) as
written there -- with one change, the import line. With the native SDK it reads
``import extism``; here it reads ``import zerowasm.plugin as extism``.

The documentation downloads ``count_vowels.wasm`` from GitHub; this machine may be
offline, so the manifest names a local copy of the same plugin (Extism's test suite
ships it). Set ``COUNT_VOWELS_WASM`` to point elsewhere, or pass a ``url`` manifest
entry when you are online -- zerowasm downloads it the same way.

    python examples/extism_count_vowels.py
"""

import os
import sys

import zerowasm.plugin as extism  # the only change: was `import extism`
import json

HERE = os.path.dirname(os.path.abspath(__file__))
WASM = os.environ.get("COUNT_VOWELS_WASM", os.path.join(
    HERE, "..", "..", "shared", "testsuite", "extism", "plugins", "count_vowels.wasm"))
if not os.path.exists(WASM):
    sys.exit("count_vowels.wasm not found at %s: set COUNT_VOWELS_WASM" % WASM)

# The docs: {"wasm": [{"url": "https://github.com/extism/plugins/releases/latest/download/count_vowels.wasm"}]}
manifest = {"wasm": [{"path": WASM}]}

# --- Getting started -------------------------------------------------------------------
with extism.Plugin(manifest, wasi=True) as plugin:
    wasm_vowel_count = plugin.call(
        "count_vowels",
        "hello world",
    )
    print(wasm_vowel_count)  # b'{"count":3,"total":3,"vowels":"aeiouAEIOU"}'

with extism.Plugin(manifest, wasi=True) as plugin:
    wasm_vowel_count = plugin.call(
        "count_vowels",
        "hello world",
        parse=lambda output: json.loads(
            bytes(output).decode('utf-8')
        )
    )
    print(wasm_vowel_count)  # {'count': 3, 'total': 3, 'vowels': 'aeiouAEIOU'}

# --- State and configuration -----------------------------------------------------------
with extism.Plugin(manifest, wasi=True) as plugin:
    [print(plugin.call(
        "count_vowels",
        "hello world",
        parse=lambda output: json.loads(
            bytes(output).decode('utf-8')
        )
    )['total']) for _ in range(0, 3)]  # prints 3, 6, 9

# if we re-instantiate the plugin, however, we reset the count:
with extism.Plugin(manifest, wasi=True) as plugin:
    [print(plugin.call(
        "count_vowels",
        "hello world",
        parse=lambda output: json.loads(
            bytes(output).decode('utf-8')
        )
    )['total']) for _ in range(0, 3)]  # prints 3, 6, 9 all over again

# We can also statically configure values for use by the guest:
with extism.Plugin(manifest, wasi=True, config={'vowels': 'h'}) as plugin:
    print(plugin.call(
        "count_vowels",
        "hello world",
        parse=lambda output: json.loads(
            bytes(output).decode('utf-8')
        )
    )['count'])  # 1

# --- Errors ----------------------------------------------------------------------------
with extism.Plugin(manifest, wasi=True) as plugin:
    print(plugin.function_exists("count_vowels"), plugin.function_exists("i_dont_exist"))
    try:
        plugin.call("i_dont_exist", "someinput")
    except extism.Error as error:
        print("extism.Error:", error)  # Function not found: i_dont_exist
