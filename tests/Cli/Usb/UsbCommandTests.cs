using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Fat;
using RecoverySim.Cli;
using RecoverySim.Cli.Tests.Image;

namespace RecoverySim.Cli.Tests.Usb;

/// <summary><c>recoverysim usb create</c> and <c>usb ls</c>: sticks that read back, one-line errors, nothing left behind on failure.</summary>
public sealed class UsbCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rsim-usb-cli-").FullName;
    private readonly string _golden;
    private readonly byte[] _content;

    public UsbCommandTests()
    {
        _content = new byte[300_000];
        new Random(23).NextBytes(_content);
        _golden = Path.Combine(_directory, "golden.tar");
        File.WriteAllBytes(_golden, _content);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("12", "gpt", FatType.Fat12, "GPT partition 1 'recovery'")]
    [InlineData("16", "none", FatType.Fat16, "superfloppy")]
    [InlineData("32", "mbr", FatType.Fat32, "MBR partition 1")]
    public void Create_writes_a_stick_that_reads_back(string fat, string table, FatType type, string location)
    {
        string stick = Path.Combine(_directory, "stick.img");
        CliRun run = Run("usb", "create", stick, "--image", _golden, "--fat", fat, "--partition-table", table, "--path", "/Recovery/Images/Golden Image.rsim");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{stick}: {type} volume 'RECOVERY'", run.Output);
        Assert.Equal(["golden.tar", "stick.img"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order());

        using var disk = FileBlockDevice.Open(stick, writable: false);
        using FatVolume volume = FatVolume.Mount(disk);
        Assert.Equal(type, volume.Type);
        Assert.Equal(location, volume.Location);
        using Stream stream = volume.OpenRead("/recovery/images/golden image.rsim");
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(_content, copy.ToArray());

        CliRun listing = Run("usb", "ls", stick, "/Recovery/Images");
        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.Contains($"{_content.Length}", listing.Output);
        Assert.Contains("Golden Image.rsim  (GOLDEN~1.RSI)", listing.Output);
    }

    [Fact]
    public void Create_defaults_to_fat16_mbr_and_the_recovery_path_and_replaces_an_existing_stick()
    {
        string stick = Path.Combine(_directory, "stick.img");
        File.WriteAllText(stick, "an old stick");
        CliRun run = Run("usb", "create", stick, "--image", _golden);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Fat16 volume 'RECOVERY' (MBR partition at sector 2048", run.Output);
        Assert.Contains(FatFormatOptions.DefaultPath, run.Output);
        using var disk = FileBlockDevice.Open(stick, writable: false);
        using FatVolume volume = FatVolume.Mount(disk);
        Assert.Equal(_content.Length, volume.Find(FatFormatOptions.DefaultPath)!.Size);
    }

    [Theory]
    [InlineData("--fat", "13", "--fat: expected 12, 16 or 32, found '13'")]
    [InlineData("--partition-table", "apm", "--partition-table: expected mbr, gpt or none, found 'apm'")]
    [InlineData("--frobnicate", "1", "frobnicate")]
    public void Bad_flags_are_one_usage_line_and_write_nothing(string flag, string value, string expected)
    {
        string stick = Path.Combine(_directory, "stick.img");
        CliRun run = Run("usb", "create", stick, "--image", _golden, flag, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("recoverysim: ", line);
        Assert.Contains(expected, line);
        Assert.False(File.Exists(stick));
    }

    [Fact]
    public void A_missing_image_flag_is_a_usage_error()
    {
        CliRun run = Run("usb", "create", Path.Combine(_directory, "stick.img"));
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--image", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Failures_are_one_line_and_leave_nothing_behind()
    {
        string stick = Path.Combine(_directory, "stick.img");
        CliRun missing = Run("usb", "create", stick, "--image", Path.Combine(_directory, "nope.tar"));
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Contains("no such golden image", Assert.Single(missing.ErrorLines));

        string big = Path.Combine(_directory, "big.tar");
        using (var file = new FileStream(big, FileMode.CreateNew))
        {
            file.SetLength(200L << 20); // sparse: FAT12 holds at most ~127 MiB
        }

        CliRun tooBig = Run("usb", "create", stick, "--image", big, "--fat", "12");
        Assert.Equal(ExitCodes.Failure, tooBig.ExitCode);
        Assert.Contains("does not fit Fat12: at most", Assert.Single(tooBig.ErrorLines));

        CliRun badPath = Run("usb", "create", stick, "--image", _golden, "--path", "/a:b/c");
        Assert.Equal(ExitCodes.Usage, badPath.ExitCode);
        Assert.Contains("--path: path '/a:b/c': name 'a:b' is not valid on FAT", Assert.Single(badPath.ErrorLines));

        CliRun badLabel = Run("usb", "create", stick, "--image", _golden, "--label", "MUCH TOO LONG");
        Assert.Equal(ExitCodes.Usage, badLabel.ExitCode);
        Assert.Contains("--label: volume label 'MUCH TOO LONG'", Assert.Single(badLabel.ErrorLines));

        CliRun directory = Run("usb", "create", _directory, "--image", _golden);
        Assert.Equal(ExitCodes.Failure, directory.ExitCode);
        Assert.Contains("not a regular file", Assert.Single(directory.ErrorLines));

        Assert.Equal(["big.tar", "golden.tar"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Ls_of_something_that_is_not_a_stick_is_one_line()
    {
        string notStick = Path.Combine(_directory, "zeros.img");
        File.WriteAllBytes(notStick, new byte[1 << 20]);
        CliRun run = Run("usb", "ls", notStick);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("no FAT volume on the stick", Assert.Single(run.ErrorLines));
    }

    private static CliRun Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = RecoverySimCli.RunAsync(args, new CliContext(output, error)).GetAwaiter().GetResult();
        return new CliRun(exit, output.ToString(), error.ToString());
    }
}
