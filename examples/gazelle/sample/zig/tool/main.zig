const std = @import("std");
const strings = @import("../strings/strings.zig");

pub fn main() !void {
    const text = try strings.shout(std.heap.page_allocator, "hello");
    std.debug.print("{s}\n", .{text});
}
