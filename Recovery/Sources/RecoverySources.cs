using System.Net;
using System.Net.Sockets;
using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Tftp;

namespace RecoverySim.Recovery.Sources;

/// <summary>
/// Builds recovery mode's sources from board.json's <c>recovery</c> section, with sources given
/// for one run (the command line's <c>--tftp</c>, <c>--usb</c>, <c>--file</c>) taking the place of
/// the configured ones: when any is given, exactly those are tried, in board.json's order for the
/// kinds it lists and then TFTP, USB, file. Relative paths are relative to the board directory.
/// </summary>
public static class RecoverySources
{
    /// <summary>The sources of <paramref name="board"/>, in the order to try them.</summary>
    public static IReadOnlyList<GoldenImageSource> For(Board board, RecoveryConfig? overrides = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        RecoveryConfig config = board.Config.Recovery;
        IEnumerable<RecoverySource> order = config.Order;
        RecoverySource[] given = overrides is null ? [] : [.. new[] { RecoverySource.Tftp, RecoverySource.Usb, RecoverySource.File }.Where(overrides.IsConfigured)];
        if (given.Length > 0)
        {
            order = [.. config.Order.Where(given.Contains), .. given.Where(k => !config.Order.Contains(k))];
            config = overrides!;
        }

        var sources = new List<GoldenImageSource>();
        foreach (RecoverySource kind in order)
        {
            switch (kind)
            {
                case RecoverySource.Tftp when config.Tftp is { } tftp:
                    sources.Add(Tftp(tftp, time));
                    break;
                case RecoverySource.Usb when config.Usb is { } usb:
                    sources.Add(new UsbImageSource(Resolve(board, usb.Path), usb.ImagePath) { Attempts = usb.Attempts });
                    break;
                case RecoverySource.File when config.File is { } file:
                    sources.Add(new FileImageSource(Resolve(board, file.Path)) { Attempts = file.Attempts });
                    break;
            }
        }

        return sources;
    }

    /// <summary>The TFTP source of <paramref name="config"/>: the host is looked up when the source is opened, so a name that does not resolve is that source's failure.</summary>
    public static GoldenImageSource Tftp(TftpSourceConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new TftpClientOptions
        {
            BlockSize = config.BlockSize,
            WindowSize = config.WindowSize,
            Timeout = TimeSpan.FromMilliseconds(config.TimeoutMs),
        };
        return new TftpImageSource(() => Lookup(config.Server), config.File, options, time, config.Server.ToString()) { Attempts = config.Attempts };
    }

    private static IPEndPoint Lookup(TftpEndPoint server)
    {
        try
        {
            return server.Resolve();
        }
        catch (SocketException e)
        {
            throw new GoldenImageSourceException($"tftp {server}: host '{server.Host}' does not resolve ({e.SocketErrorCode})", e);
        }
    }

    private static string Resolve(Board board, string path) =>
        Path.IsPathRooted(path) || board.Directory is null ? path : Path.Combine(board.Directory, path);
}
