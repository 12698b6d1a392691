//! The "greet" example plugin, in Zig (the same plugin exists in C and Go).
//!
//! export greet: input = a name; output = "<greeting>, <name>! (call #N)" where
//!   <greeting> is config "greeting" (default "Hello") passed through the host function
//!   extism:host/user::decorate, and N counts the calls in the var "count".
//!   An empty name fails the call with the error "no name given".
//! export count_json: input = JSON {"text": "..."}; output = JSON {"length": n, "vowels": v}.
//!
//! Build: python guest/build.py
const std = @import("std");
const zw = @import("zerowasm");

extern "extism:host/user" fn decorate(text: zw.Handle) zw.Handle;

fn greet_impl(arena: std.mem.Allocator) !i32 {
    const name = try zw.input(arena);
    if (name.len == 0) return zw.fail("no name given");
    const greeting = (try zw.config(arena, "greeting")) orelse "Hello";
    const fancy = try zw.blockRead(arena, decorate(zw.blockFrom(greeting)));

    var count: u64 = 0;
    if (try zw.varGet(arena, "count")) |bytes| {
        if (bytes.len == 8) count = std.mem.readInt(u64, bytes[0..8], .little);
    }
    count += 1;
    var count_bytes: [8]u8 = undefined;
    std.mem.writeInt(u64, &count_bytes, count, .little);
    zw.varSet("count", &count_bytes);

    const text = try std.fmt.allocPrint(arena, "{s}, {s}! (call #{d})", .{ fancy, name, count });
    zw.log(.info, "greeted someone");
    zw.output(text);
    return 0;
}

export fn greet() i32 {
    var arena = std.heap.ArenaAllocator.init(zw.allocator);
    defer arena.deinit();
    return greet_impl(arena.allocator()) catch return zw.fail("greet: out of memory");
}

const CountArgs = struct { text: []const u8 };
const CountResult = struct { length: usize, vowels: usize };

fn count_impl(arena: std.mem.Allocator) !i32 {
    const args = zw.inputJson(CountArgs, arena) catch
        return zw.fail("count_json: expected {\"text\": string}");
    var vowels: usize = 0;
    for (args.text) |c| {
        switch (c | 0x20) {
            'a', 'e', 'i', 'o', 'u' => vowels += 1,
            else => {},
        }
    }
    try zw.outputJson(arena, CountResult{ .length = args.text.len, .vowels = vowels });
    return 0;
}

export fn count_json() i32 {
    var arena = std.heap.ArenaAllocator.init(zw.allocator);
    defer arena.deinit();
    return count_impl(arena.allocator()) catch return zw.fail("count_json: out of memory");
}
