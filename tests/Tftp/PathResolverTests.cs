using RecoverySim.Tftp.Server;

namespace RecoverySim.Tftp.Tests;

public sealed class PathResolverTests
{
    [Fact]
    public void Any_name_is_refused_or_stays_under_the_root()
    {
        using var root = new TempDirectory();
        root.Write("a/b/c", [1]);
        root.Write("a/x", [2]);
        var resolver = new TftpPathResolver(root.Path);
        Gen.Char["ab./\\:C\u0000x"].Array[1, 12].Select(c => new string(c)).Sample(name =>
        {
            try
            {
                string path = resolver.ResolveForRead(name);
                Assert.StartsWith(resolver.Root + "/", path, StringComparison.Ordinal);
                Assert.DoesNotContain("..", name.Split('/'));
            }
            catch (TftpProtocolException e)
            {
                Assert.Contains(e.ErrorCode, new[] { TftpErrorCode.AccessViolation, TftpErrorCode.FileNotFound });
            }
        }, iter: 3000);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/..")]
    [InlineData("../a")]
    [InlineData("/a/x")]
    [InlineData("a\\x")]
    [InlineData("C:x")]
    [InlineData("a//x")]
    [InlineData("./a/x")]
    [InlineData("a/x/")]
    [InlineData("a\tx")]
    public void Refused_names(string name)
    {
        var e = Assert.Throws<TftpProtocolException>(() => TftpPathResolver.CheckName(name));
        Assert.Equal(TftpErrorCode.AccessViolation, e.ErrorCode);
    }

    [Fact]
    public void Device_files_are_not_regular()
    {
        Assert.Equal(NativeFileSystem.EntryType.Other, NativeFileSystem.GetEntryType("/dev/null"));
        using var root = new TempDirectory();
        string device = Path.Join(root.Path, "null");
        using var mknod = System.Diagnostics.Process.Start("mknod", [device, "c", "1", "3"]);
        mknod.WaitForExit();
        if (mknod.ExitCode == 0)
        {
            // Creating a device needs root; the type check above covers the rule either way.
            var e = Assert.Throws<TftpProtocolException>(() => new TftpPathResolver(root.Path).ResolveForRead("null"));
            Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Writes_resolve_into_existing_directories_only()
    {
        using var root = new TempDirectory();
        root.Write("dir/existing", [1]);
        var resolver = new TftpPathResolver(root.Path);
        Assert.Equal(Path.Join(resolver.Root, "dir", "new"), resolver.ResolveForWrite("dir/new", false, out bool exists));
        Assert.False(exists);
        Assert.Equal(TftpErrorCode.FileNotFound, Assert.Throws<TftpProtocolException>(() => resolver.ResolveForWrite("nodir/new", false, out _)).ErrorCode);
        Assert.Equal(TftpErrorCode.FileAlreadyExists, Assert.Throws<TftpProtocolException>(() => resolver.ResolveForWrite("dir/existing", false, out _)).ErrorCode);
        resolver.ResolveForWrite("dir/existing", true, out exists);
        Assert.True(exists);
        File.CreateSymbolicLink(Path.Join(root.Path, "dir", "link"), "/tmp/somewhere");
        Assert.Equal(TftpErrorCode.AccessViolation, Assert.Throws<TftpProtocolException>(() => resolver.ResolveForWrite("dir/link", true, out _)).ErrorCode);
    }

    [Fact]
    public void A_missing_root_is_an_error() =>
        Assert.Throws<DirectoryNotFoundException>(() => new TftpPathResolver("/nonexistent/root/" + Guid.NewGuid()));
}
