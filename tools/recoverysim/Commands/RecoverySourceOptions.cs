using System.CommandLine;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Tftp;

namespace RecoverySim.Cli.Commands;

/// <summary>
/// The recovery-source flags shared by <c>board create</c> (what goes into board.json) and
/// <c>boot</c> (sources for one power-on): <c>--tftp HOST[:PORT]/FILE</c>, <c>--usb STICK</c>,
/// <c>--file GOLDEN</c>. One parser, one set of messages.
/// </summary>
internal sealed class RecoverySourceOptions
{
    private readonly bool _absolute;

    /// <summary>
    /// The three flags with their help texts. With <paramref name="absolutePaths"/> the paths are
    /// taken relative to the current directory, as a user typed them (<c>boot</c>); without, they
    /// are stored as given and board.json resolves them against the board directory (<c>board create</c>).
    /// </summary>
    public RecoverySourceOptions(string tftp, string usb, string file, bool absolutePaths)
    {
        _absolute = absolutePaths;
        Tftp = new Option<string?>("--tftp") { Description = tftp };
        Usb = new Option<string?>("--usb") { Description = usb };
        File = new Option<string?>("--file") { Description = file };
    }

    public Option<string?> Tftp { get; }

    public Option<string?> Usb { get; }

    public Option<string?> File { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Tftp);
        command.Options.Add(Usb);
        command.Options.Add(File);
    }

    /// <summary>True when any of the three flags was given.</summary>
    public bool AnyGiven(ParseResult parse) => parse.GetValue(Tftp) is not null || parse.GetValue(Usb) is not null || parse.GetValue(File) is not null;

    /// <summary>
    /// <paramref name="start"/> with the sources the flags give; a flag's kind joins the order when
    /// it is not in it yet. Usage errors name the flag.
    /// </summary>
    public RecoveryConfig Apply(ParseResult parse, RecoveryConfig start)
    {
        RecoveryConfig recovery = start;
        if (parse.GetValue(Tftp) is string source)
        {
            recovery = Add(recovery with { Tftp = ParseTftp(source) }, RecoverySource.Tftp);
        }

        if (parse.GetValue(Usb) is string stick)
        {
            recovery = Add(recovery with { Usb = new UsbSourceConfig(CheckPath(stick, "--usb")) }, RecoverySource.Usb);
        }

        if (parse.GetValue(File) is string local)
        {
            recovery = Add(recovery with { File = new FileSourceConfig(CheckPath(local, "--file")) }, RecoverySource.File);
        }

        return recovery;
    }

    /// <summary>Parses <c>HOST[:PORT]/FILE</c> given as <c>--tftp</c>; a usage error naming the flag.</summary>
    private static TftpSourceConfig ParseTftp(string source)
    {
        try
        {
            return TftpSourceConfig.Parse(source);
        }
        catch (FormatException e)
        {
            throw new CommandFailedException($"--tftp: {e.Message}", e, ExitCodes.Usage);
        }
    }

    private static RecoveryConfig Add(RecoveryConfig recovery, RecoverySource kind) =>
        recovery.Order.Contains(kind) ? recovery : recovery with { Order = [.. recovery.Order, kind] };

    private string CheckPath(string path, string flag) =>
        !RecoveryConfig.IsPath(path)
            ? throw new CommandFailedException($"{flag}: expected a path of 1 to {RecoveryConfig.MaxPathLength} characters without NUL", ExitCodes.Usage)
            : _absolute ? Path.GetFullPath(path) : path;
}
