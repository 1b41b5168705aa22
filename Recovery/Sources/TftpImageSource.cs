using System.IO.Pipelines;
using System.Net;
using RecoverySim.Bootloader.Control;
using RecoverySim.GoldenImage.Hashing;
using RecoverySim.Tftp;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Recovery.Sources;

/// <summary>
/// A golden image fetched over TFTP with our client (RFC 1350, 2347–2349, 7440): it asks for
/// blksize, windowsize and tsize, falls back to plain RFC 1350 when the server refuses options,
/// refuses an announced tsize above the board's limit before anything is written, and streams
/// the blocks through a bounded pipe into the reader, so fetching, hashing and writing overlap.
/// </summary>
public sealed class TftpImageSource : GoldenImageSource
{
    private const long PipeHighWater = 4L << 20;
    private readonly Func<IPEndPoint>? _server;
    private readonly Func<ITftpChannel>? _channel;
    private readonly string _file;
    private readonly TftpClientOptions _options;
    private readonly TimeProvider _time;

    /// <summary>The file <paramref name="file"/> on the server at <paramref name="server"/>, over UDP sockets.</summary>
    public TftpImageSource(IPEndPoint server, string file, TftpClientOptions options, TimeProvider? time = null)
        : this(() => server, file, options, time, FormatEndPoint(server ?? throw new ArgumentNullException(nameof(server))))
    {
    }

    /// <summary>
    /// The file <paramref name="file"/> on the server <paramref name="server"/> finds when the
    /// source is opened (a host name looked up then), named <paramref name="serverText"/>.
    /// </summary>
    public TftpImageSource(Func<IPEndPoint> server, string file, TftpClientOptions options, TimeProvider? time, string serverText)
        : this(file, options, time)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(serverText);
        _server = server;
        Description = $"tftp {serverText}/{file}";
    }

    /// <summary>
    /// The file <paramref name="file"/> over the channels <paramref name="channel"/> opens (one per
    /// attempt): an in-memory, seeded link, so a campaign replays a TFTP recovery exactly.
    /// </summary>
    public TftpImageSource(string description, Func<ITftpChannel> channel, string file, TftpClientOptions options, TimeProvider? time = null)
        : this(file, options, time)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
        Description = description;
    }

    private TftpImageSource(string file, TftpClientOptions options, TimeProvider? time)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _file = file;
        _options = options;
        _time = time ?? TimeProvider.System;
        Description = "";
    }

    /// <inheritdoc/>
    public override RecoverySource Kind => RecoverySource.Tftp;

    /// <inheritdoc/>
    public override string Description { get; }

    /// <summary>What the last transfer negotiated and moved, or null before one ended.</summary>
    public TftpTransferResult? LastTransfer { get; private set; }

    /// <inheritdoc/>
    public override Task<OpenedGoldenImage> OpenAsync(long maxBytes, CancellationToken cancel)
    {
        IPEndPoint? server = _server?.Invoke();
        var client = new TftpClient(_options with { MaxTransferSize = Math.Min(maxBytes, _options.MaxTransferSize) }, _time);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeHighWater, resumeWriterThreshold: PipeHighWater / 2, minimumSegmentSize: 64 << 10, useSynchronizationContext: false));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        long fetched = 0;
        var progress = new SyncProgress<TftpProgress>(p => Volatile.Write(ref fetched, p.Bytes));
        Stream sink = pipe.Writer.AsStream(leaveOpen: true);
        Task transfer = Task.Run(async () =>
        {
            try
            {
                ITftpChannel? channel = _channel?.Invoke();
                try
                {
                    TftpTransferResult result = channel is null
                        ? await client.GetAsync(server!, _file, sink, progress, stop.Token).ConfigureAwait(false)
                        : await client.GetAsync(channel, _file, sink, progress, stop.Token).ConfigureAwait(false);
                    LastTransfer = result;
                    Volatile.Write(ref fetched, result.Bytes);
                }
                finally
                {
                    channel?.Dispose();
                }

                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);

        async ValueTask Stop()
        {
            // The reader is done (or gave up): stop the transfer, which tells the server why.
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await transfer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is TftpException or OperationCanceledException or InvalidOperationException or IOException)
            {
                // Already reported to the reader through the pipe, or the stop itself.
            }

            stop.Dispose();
        }

        return Task.FromResult(new OpenedGoldenImage(pipe.Reader.AsStream(leaveOpen: true), () => Volatile.Read(ref fetched), transfer, Stop));
    }

    private static string FormatEndPoint(IPEndPoint server) => new TftpEndPoint(server.Address.ToString(), server.Port).ToString();
}
