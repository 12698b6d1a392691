//! zerowasm.zig -- write Extism-compatible plugins in Zig. One file, no WASI needed.
//!
//! A plugin exports functions that take no parameters and return an i32 status
//! (0 = success). Input, output, errors, config, vars and host-function arguments live in
//! the host's kernel memory, addressed by 64-bit handles (module "extism:host/env"); this
//! file wraps that ABI in slices and an allocator:
//!
//!     const zw = @import("zerowasm.zig");
//!
//!     export fn greet() i32 {
//!         const name = zw.input(zw.allocator) catch return zw.fail("out of memory");
//!         if (name.len == 0) return zw.fail("no name given");
//!         zw.output(name);
//!         return 0;
//!     }
//!
//! Typed interfaces (zerowasm.plugin.load_interface) send a JSON object of named
//! parameters and expect a JSON result: `inputJson(T, arena)` / `outputJson(value)`.
//!
//! Build (Zig from PyPI: pip install ziglang):
//!     python -m ziglang build-exe plugin.zig -target wasm32-freestanding -fno-entry \
//!         -rdynamic -O ReleaseSmall -femit-bin=plugin.wasm
//! (put zerowasm.zig next to plugin.zig, or pass --dep/-M module flags).

const std = @import("std");

/// An offset in kernel memory; 0 is null.
pub const Handle = u64;

/// The raw ABI: functions of the "extism:host/env" module.
pub const kernel = struct {
    pub extern "extism:host/env" fn alloc(n: u64) Handle;
    pub extern "extism:host/env" fn free(p: Handle) void;
    pub extern "extism:host/env" fn length(p: Handle) u64;
    pub extern "extism:host/env" fn load_u8(p: Handle) u8;
    pub extern "extism:host/env" fn load_u64(p: Handle) u64;
    pub extern "extism:host/env" fn store_u8(p: Handle, x: u8) void;
    pub extern "extism:host/env" fn store_u64(p: Handle, x: u64) void;
    pub extern "extism:host/env" fn input_length() u64;
    pub extern "extism:host/env" fn input_load_u8(i: u64) u8;
    pub extern "extism:host/env" fn input_load_u64(i: u64) u64;
    pub extern "extism:host/env" fn output_set(p: Handle, n: u64) void;
    pub extern "extism:host/env" fn error_set(p: Handle) void;
    pub extern "extism:host/env" fn config_get(key: Handle) Handle;
    pub extern "extism:host/env" fn var_get(key: Handle) Handle;
    pub extern "extism:host/env" fn var_set(key: Handle, value: Handle) void;
    pub extern "extism:host/env" fn log_trace(p: Handle) void;
    pub extern "extism:host/env" fn log_debug(p: Handle) void;
    pub extern "extism:host/env" fn log_info(p: Handle) void;
    pub extern "extism:host/env" fn log_warn(p: Handle) void;
    pub extern "extism:host/env" fn log_error(p: Handle) void;
    pub extern "extism:host/env" fn get_log_level() i32;
};

/// The guest's own allocator (Wasm memory.grow).
pub const allocator = std.heap.wasm_allocator;

// -- kernel blocks ---------------------------------------------------------------------

/// A new kernel block holding `data` (0 when empty). Pass it to host functions.
pub fn blockFrom(data: []const u8) Handle {
    if (data.len == 0) return 0;
    const h = kernel.alloc(data.len);
    if (h == 0) return 0;
    var i: usize = 0;
    while (i + 8 <= data.len) : (i += 8) {
        kernel.store_u64(h + i, std.mem.readInt(u64, data[i..][0..8], .little));
    }
    while (i < data.len) : (i += 1) kernel.store_u8(h + i, data[i]);
    return h;
}

/// The bytes of block `h`, copied into guest memory (caller owns them).
pub fn blockRead(gpa: std.mem.Allocator, h: Handle) ![]u8 {
    const n: usize = @intCast(kernel.length(h));
    const out = try gpa.alloc(u8, n);
    var i: usize = 0;
    while (i + 8 <= n) : (i += 8) {
        std.mem.writeInt(u64, out[i..][0..8], kernel.load_u64(h + i), .little);
    }
    while (i < n) : (i += 1) out[i] = kernel.load_u8(h + i);
    return out;
}

// -- input, output, errors -------------------------------------------------------------

/// The call's input, copied into guest memory (caller owns it).
pub fn input(gpa: std.mem.Allocator) ![]u8 {
    const n: usize = @intCast(kernel.input_length());
    const out = try gpa.alloc(u8, n);
    var i: usize = 0;
    while (i + 8 <= n) : (i += 8) {
        std.mem.writeInt(u64, out[i..][0..8], kernel.input_load_u64(i), .little);
    }
    while (i < n) : (i += 1) out[i] = kernel.input_load_u8(i);
    return out;
}

/// Make `data` the call's output.
pub fn output(data: []const u8) void {
    kernel.output_set(blockFrom(data), data.len);
}

/// Fail the call with `message`; returns 1 (the status to return).
pub fn fail(message: []const u8) i32 {
    kernel.error_set(blockFrom(message));
    return 1;
}

// -- config and vars -------------------------------------------------------------------

/// The config value of `key` (null when unset); caller owns it.
pub fn config(gpa: std.mem.Allocator, key: []const u8) !?[]u8 {
    const k = blockFrom(key);
    defer kernel.free(k);
    const v = kernel.config_get(k);
    if (v == 0) return null;
    defer kernel.free(v);
    return try blockRead(gpa, v);
}

/// The var `key` (null when unset); caller owns it.
pub fn varGet(gpa: std.mem.Allocator, key: []const u8) !?[]u8 {
    const k = blockFrom(key);
    defer kernel.free(k);
    const v = kernel.var_get(k);
    if (v == 0) return null;
    defer kernel.free(v);
    return try blockRead(gpa, v);
}

/// Set var `key` (an empty value deletes it).
pub fn varSet(key: []const u8, value: []const u8) void {
    const k = blockFrom(key);
    defer kernel.free(k);
    const v = blockFrom(value);
    kernel.var_set(k, v);
    if (v != 0) kernel.free(v);
}

// -- logging ---------------------------------------------------------------------------

pub const Level = enum(i32) { trace = 0, debug = 1, info = 2, warn = 3, err = 4 };

/// Log `message` at `level` (skipped when the host does not listen at that level).
pub fn log(level: Level, message: []const u8) void {
    if (@intFromEnum(level) < kernel.get_log_level()) return;
    const h = blockFrom(message);
    defer kernel.free(h);
    switch (level) {
        .trace => kernel.log_trace(h),
        .debug => kernel.log_debug(h),
        .info => kernel.log_info(h),
        .warn => kernel.log_warn(h),
        .err => kernel.log_error(h),
    }
}

// -- JSON (typed interfaces) -----------------------------------------------------------

/// The input parsed as JSON into `T` (unknown fields are ignored). Use an arena.
pub fn inputJson(comptime T: type, arena: std.mem.Allocator) !T {
    const text = try input(arena);
    return std.json.parseFromSliceLeaky(T, arena, text, .{
        .ignore_unknown_fields = true,
        .allocate = .alloc_always,
    });
}

/// Make the JSON encoding of `value` the call's output.
pub fn outputJson(gpa: std.mem.Allocator, value: anytype) !void {
    const text = try std.json.Stringify.valueAlloc(gpa, value, .{});
    defer gpa.free(text);
    output(text);
}
