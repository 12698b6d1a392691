//! zigreport: walk a directory tree, count lines/words/bytes and a CRC-32 of every
//! regular file, print the table sorted by path, and write it to a report file.
//!
//!   zigreport IN_PREOPEN OUT_PREOPEN REPORT_NAME
//!
//! IN_PREOPEN and OUT_PREOPEN are the guest names of two preopened directories (for
//! example "/in" and "/out"). Also prints $GREETING if set, sleeps 20 ms and checks that
//! the monotonic clock moved at least that much, and reads 16 random bytes.
//! Built with: python -m ziglang build-exe -target wasm32-wasi -O ReleaseSmall -fstrip zigreport.zig
const std = @import("std");
const Io = std.Io;

const Row = struct {
    path: []const u8,
    lines: usize,
    words: usize,
    bytes: usize,
    crc: u32,
};

fn lessThan(_: void, a: Row, b: Row) bool {
    return std.mem.lessThan(u8, a.path, b.path);
}

fn count(data: []const u8) struct { lines: usize, words: usize } {
    var lines: usize = 0;
    var words: usize = 0;
    var in_word = false;
    for (data) |c| {
        if (c == '\n') lines += 1;
        const space = c == ' ' or c == '\n' or c == '\t' or c == '\r';
        if (!space and !in_word) words += 1;
        in_word = !space;
    }
    return .{ .lines = lines, .words = words };
}

pub fn main(init: std.process.Init) !void {
    const arena = init.arena.allocator();
    const io = init.io;
    const args = try init.minimal.args.toSlice(arena);

    var stdout_buffer: [4096]u8 = undefined;
    var stdout_writer: Io.File.Writer = .init(.stdout(), io, &stdout_buffer);
    const out = &stdout_writer.interface;
    defer out.flush() catch {};

    if (args.len != 4) {
        try out.print("usage: {s} IN_PREOPEN OUT_PREOPEN REPORT_NAME\n", .{args[0]});
        try out.flush();
        std.process.exit(2);
    }
    if (init.environ_map.get("GREETING")) |greeting| {
        try out.print("greeting: {s}\n", .{greeting});
    }

    const in_dir = switch (init.preopens.get(args[1]) orelse return error.NoSuchPreopen) {
        .dir => |d| d,
        .file => return error.NotADirectory,
    };
    const out_dir = switch (init.preopens.get(args[2]) orelse return error.NoSuchPreopen) {
        .dir => |d| d,
        .file => return error.NotADirectory,
    };

    var rows: std.ArrayList(Row) = .empty;
    var walker = try in_dir.walk(arena);
    defer walker.deinit();
    while (try walker.next(io)) |entry| {
        if (entry.kind != .file) continue;
        const data = try entry.dir.readFileAlloc(io, entry.basename, arena, .limited(1 << 24));
        const counts = count(data);
        try rows.append(arena, .{
            .path = try arena.dupe(u8, entry.path),
            .lines = counts.lines,
            .words = counts.words,
            .bytes = data.len,
            .crc = std.hash.Crc32.hash(data),
        });
    }
    std.mem.sort(Row, rows.items, {}, lessThan);

    var report: std.ArrayList(u8) = .empty;
    var totals = [3]usize{ 0, 0, 0 };
    for (rows.items) |row| {
        const line = try std.fmt.allocPrint(arena, "{s} {d} {d} {d} {x:0>8}\n", .{ row.path, row.lines, row.words, row.bytes, row.crc });
        try report.appendSlice(arena, line);
        totals[0] += row.lines;
        totals[1] += row.words;
        totals[2] += row.bytes;
    }
    const total_line = try std.fmt.allocPrint(arena, "total {d} files {d} {d} {d}\n", .{ rows.items.len, totals[0], totals[1], totals[2] });
    try report.appendSlice(arena, total_line);
    try out.writeAll(report.items);
    try out_dir.writeFile(io, .{ .sub_path = args[3], .data = report.items });

    const start = Io.Timestamp.now(io, .awake);
    try io.sleep(.fromMilliseconds(20), .awake);
    const elapsed = start.durationTo(Io.Timestamp.now(io, .awake));
    try out.print("slept {s} 20 ms\n", .{if (elapsed.nanoseconds >= 20 * std.time.ns_per_ms) "at least" else "less than"});

    var random: [16]u8 = undefined;
    try io.randomSecure(&random);
    var zero = true;
    for (random) |b| zero = zero and b == 0;
    try out.print("random: {s}\n", .{if (zero) "all zero" else "ok"});
}
