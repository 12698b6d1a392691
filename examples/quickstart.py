"""The zerowasm quick start: load a C guest, call it, pass a host function, read memory.

Run from the repository root:  python examples/quickstart.py
The guest is examples/guest/guest.c, built to guest.wasm (see the build line in it).
"""

from pathlib import Path

import zerowasm

HERE = Path(__file__).resolve().parent


def main() -> None:
    rt = zerowasm.Runtime()
    module = rt.compile((HERE / "guest" / "guest.wasm").read_bytes())
    print("imports:", [(i.module, i.name, str(i.type)) for i in module.imports])
    print("exports:", [e.name for e in module.exports])

    logged = []

    # The guest imports env.log(ptr: i32, len: i32). With with_caller=True the host
    # function receives the calling instance, whose memory holds the string.
    def log(caller: zerowasm.Instance, ptr: int, length: int) -> None:
        logged.append(caller.memory.read(ptr, length).decode())

    log_function = zerowasm.Function(
        zerowasm.FunctionType([zerowasm.I32, zerowasm.I32], []), log, with_caller=True)
    instance = rt.instantiate(module, imports={"env": {"log": log_function}})
    exports = instance.exports

    print("fib(20) =", exports.fib(20))

    # Pass a string in: write it into the guest's input buffer, then call greet().
    memory = exports.memory
    name = b"zerowasm"
    buffer = exports.input_buffer()
    memory.write(buffer, name)
    out_len_ptr = buffer + 200                       # a spare i32 slot in the buffer
    result_ptr = exports.greet(buffer, len(name), out_len_ptr)
    length = int.from_bytes(memory.read(out_len_ptr, 4), "little")
    print("greet() returned:", memory.read(result_ptr, length).decode())
    print("the guest logged:", logged)
    print("sum of bytes:", exports.sum_bytes(buffer, len(name)), "==", sum(name))

    try:
        exports.sum_bytes(0xFFFFFFF0, 100)           # reads past the end of memory
    except zerowasm.Trap as trap:
        print("trap:", trap.message)


if __name__ == "__main__":
    main()
