//! The Zig language extension of the Gazelle example, written in Zig with the zerowasm
//! guest kit (guest/zig/zerowasm.zig). It implements the LanguageExtension interface of
//! examples/gazelle/gazelle.py (JSON object of named parameters in, JSON result out).
//!
//!   name()                 -> "zig"
//!   claims(path)           -> true for *.zig
//!   imports(path, content) -> {"imports": [@import("...") targets that are files],
//!                              "main": declares pub fn main}
//!   rules(package, files)  -> a zig_library of the files without main (named after the
//!                             package directory; it provides "<package>/<file>" for each
//!                             file), and a zig_binary per file with main.
const std = @import("std");
const zw = @import("zerowasm");

const Arena = std.heap.ArenaAllocator;

fn run(comptime body: fn (std.mem.Allocator) anyerror!void) i32 {
    var arena = Arena.init(zw.allocator);
    defer arena.deinit();
    body(arena.allocator()) catch |err| return zw.fail(@errorName(err));
    return 0;
}

export fn name() i32 {
    zw.output("\"zig\"");
    return 0;
}

fn claimsImpl(arena: std.mem.Allocator) !void {
    const args = try zw.inputJson(struct { path: []const u8 }, arena);
    zw.output(if (std.mem.endsWith(u8, args.path, ".zig")) "true" else "false");
}

export fn claims() i32 {
    return run(claimsImpl);
}

const FileImports = struct { imports: []const []const u8, main: bool };

fn importsImpl(arena: std.mem.Allocator) !void {
    const args = try zw.inputJson(struct { path: []const u8, content: []const u8 }, arena);
    var found: std.ArrayList([]const u8) = .empty;
    const needle = "@import(\"";
    var rest = args.content;
    while (std.mem.indexOf(u8, rest, needle)) |at| {
        rest = rest[at + needle.len ..];
        const end = std.mem.indexOfScalar(u8, rest, '"') orelse break;
        const target = rest[0..end];
        if (std.mem.endsWith(u8, target, ".zig")) try found.append(arena, target);
        rest = rest[end..];
    }
    const is_main = std.mem.indexOf(u8, args.content, "pub fn main(") != null;
    try zw.outputJson(arena, FileImports{ .imports = found.items, .main = is_main });
}

export fn imports() i32 {
    return run(importsImpl);
}

const SourceFile = struct { path: []const u8, imports: []const []const u8, main: bool = false };
const Rule = struct {
    kind: []const u8,
    name: []const u8,
    srcs: []const []const u8,
    imports: []const []const u8,
    provides: []const []const u8,
};

fn rulesImpl(arena: std.mem.Allocator) !void {
    const args = try zw.inputJson(struct { package: []const u8, files: []const SourceFile }, arena);
    const base = if (args.package.len == 0) "root" else std.fs.path.basename(args.package);
    var out: std.ArrayList(Rule) = .empty;

    var srcs: std.ArrayList([]const u8) = .empty;
    var lib_imports: std.ArrayList([]const u8) = .empty;
    var provides: std.ArrayList([]const u8) = .empty;
    var mains: usize = 0;
    for (args.files) |file| {
        if (file.main) {
            mains += 1;
            continue;
        }
        try srcs.append(arena, file.path);
        try lib_imports.appendSlice(arena, file.imports);
        const joined = if (args.package.len == 0) file.path else try std.fmt.allocPrint(arena, "{s}/{s}", .{ args.package, file.path });
        try provides.append(arena, joined);
    }
    if (srcs.items.len > 0) {
        try out.append(arena, .{ .kind = "zig_library", .name = base, .srcs = srcs.items, .imports = lib_imports.items, .provides = provides.items });
    }
    for (args.files) |file| {
        if (!file.main) continue;
        const binary = if (mains == 1 and srcs.items.len == 0) base else file.path[0 .. file.path.len - 4];
        const one = try arena.alloc([]const u8, 1);
        one[0] = file.path;
        try out.append(arena, .{ .kind = "zig_binary", .name = binary, .srcs = one, .imports = file.imports, .provides = &.{} });
    }
    try zw.outputJson(arena, out.items);
}

export fn rules() i32 {
    return run(rulesImpl);
}
