using RecoverySim.BlockDevice.Files;

namespace RecoverySim.BlockDevice.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recoverysim-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Target(string name = "out.bin") => Path.Combine(_directory, name);

    private string[] Entries() => Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void The_content_appears_at_the_target_only_after_commit()
    {
        using AtomicFile file = AtomicFile.Create(Target());
        file.Stream.Write([1, 2, 3]);
        file.Stream.Flush();
        Assert.False(File.Exists(Target()));
        Assert.Equal(_directory, Path.GetDirectoryName(file.TemporaryPath));
        Assert.StartsWith(".out.bin.", Path.GetFileName(file.TemporaryPath), StringComparison.Ordinal);

        file.Commit();
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Target()));
        Assert.Equal(["out.bin"], Entries());
    }

    [Fact]
    public void Dispose_without_commit_leaves_no_file_and_keeps_an_existing_target()
    {
        using (AtomicFile file = AtomicFile.Create(Target()))
        {
            file.Stream.Write([9]);
        }

        Assert.Empty(Entries());

        File.WriteAllBytes(Target(), [7, 7]);
        using (AtomicFile file = AtomicFile.Create(Target()))
        {
            file.Stream.Write(new byte[100]);
        }

        Assert.Equal([7, 7], File.ReadAllBytes(Target()));
        Assert.Equal(["out.bin"], Entries());
    }

    [Fact]
    public async Task Async_dispose_without_commit_deletes_the_temporary_too()
    {
        AtomicFile file = AtomicFile.Create(Target());
        await using (file)
        {
            await file.Stream.WriteAsync(new byte[] { 1 });
        }

        Assert.Empty(Entries());
    }

    [Fact]
    public void Commit_replaces_an_existing_target_when_overwrite_is_allowed()
    {
        File.WriteAllBytes(Target(), [7, 7]);
        using (AtomicFile file = AtomicFile.Create(Target(), overwrite: true))
        {
            file.Stream.Write([1]);
            file.Commit();
        }

        Assert.Equal([1], File.ReadAllBytes(Target()));
        Assert.Equal(["out.bin"], Entries());
    }

    [Fact]
    public void Without_overwrite_an_existing_target_is_refused_at_create()
    {
        File.WriteAllBytes(Target(), [7, 7]);
        var e = Assert.Throws<IOException>(() => AtomicFile.Create(Target(), overwrite: false));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(["out.bin"], Entries());
    }

    [Fact]
    public void Without_overwrite_a_target_created_meanwhile_is_refused_at_commit_and_kept()
    {
        using (AtomicFile file = AtomicFile.Create(Target(), overwrite: false))
        {
            file.Stream.Write([1]);
            File.WriteAllBytes(Target(), [7, 7]); // someone else, during the write
            Assert.ThrowsAny<IOException>(file.Commit);
        }

        Assert.Equal([7, 7], File.ReadAllBytes(Target()));
        Assert.Equal(["out.bin"], Entries());
    }

    [Fact]
    public async Task Commit_flushes_the_directory_after_the_rename()
    {
        var flushed = new List<(string Directory, bool TargetThere)>();
        using (AtomicFile file = AtomicFile.Create(Target(), overwrite: true, mode: null, bufferSize: 4096, d => flushed.Add((d, File.Exists(Target())))))
        {
            await file.Stream.WriteAsync(new byte[] { 1, 2 });
            Assert.Empty(flushed);
            await file.CommitAsync();
        }

        Assert.Equal([(_directory, true)], flushed);
        Assert.Equal([1, 2], File.ReadAllBytes(Target()));
    }

    [Fact]
    public void The_directory_flush_works_on_a_real_directory_and_fails_clearly_otherwise()
    {
        DirectoryFlush.Flush(_directory);
        if (OperatingSystem.IsLinux())
        {
            var e = Assert.Throws<IOException>(() => DirectoryFlush.Flush(Path.Combine(_directory, "missing")));
            Assert.Contains("errno 2", e.Message, StringComparison.Ordinal);
            File.WriteAllBytes(Target(), [1]);
            Assert.Contains("errno 20", Assert.Throws<IOException>(() => DirectoryFlush.Flush(Target())).Message, StringComparison.Ordinal); // ENOTDIR
        }
    }

    [Fact]
    public void File_OpenHandle_refuses_a_directory_which_is_why_the_flush_calls_open_itself()
    {
        Assert.Throws<UnauthorizedAccessException>(() => File.OpenHandle(_directory, FileMode.Open, FileAccess.Read).Dispose());
    }

    [Fact]
    public void The_unix_mode_is_applied()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using (AtomicFile file = AtomicFile.Create(Target(), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            file.Commit();
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Target()));
    }

    [Fact]
    public void A_target_name_of_255_bytes_still_gets_a_temporary_file()
    {
        string name = new('n', 255);
        using (AtomicFile file = AtomicFile.Create(Target(name)))
        {
            file.Stream.Write([5]);
            file.Commit();
        }

        Assert.Equal([5], File.ReadAllBytes(Target(name)));
    }

    [Fact]
    public void A_missing_directory_or_a_directory_target_is_refused()
    {
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Create(Path.Combine(_directory, "no", "out.bin")));
        Assert.Throws<IOException>(() => AtomicFile.Create(_directory));
        Assert.Empty(Entries());
    }

    [Fact]
    public void Commit_twice_is_a_caller_bug()
    {
        using AtomicFile file = AtomicFile.Create(Target());
        file.Commit();
        Assert.Throws<InvalidOperationException>(file.Commit);
    }
}
