using System.Net;
using System.Runtime.CompilerServices;
using RecoverySim.BlockDevice.Files;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Text;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Server;

/// <summary>
/// One accepted request on the server, from opening the file to the last packet: resolves
/// the path, negotiates, then runs <see cref="OackSender"/> and <see cref="DataSender"/> for
/// a read, or <see cref="DataReceiver"/> for a write.
/// </summary>
internal sealed class ServerTransfer
{
    // Measured under floods of requests (docs/PERFORMANCE.md, TFTP floods): 64 KiB, below the
    // large-object heap, left the server's RSS higher than 128 KiB, so it stays 128 KiB.
    private const int FileBufferSize = 128 * 1024;
    private const int LargeBlock = 16 * 1024;
    private readonly TftpServerOptions options;
    private readonly TftpPathResolver resolver;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly bool synchronousIo;
    private readonly TokenBucket? throttle;
    private DataReceiver? completedWrite;
    private volatile StrongBox<TftpNegotiatedOptions> negotiated = new(TftpNegotiatedOptions.Default);

    public ServerTransfer(long id, IPEndPoint client, TftpRequestPacket request, TftpMode mode, TftpServerOptions options, TftpPathResolver resolver, TimeProvider time, bool synchronousIo, TokenBucket? throttle = null)
    {
        this.throttle = throttle;
        this.synchronousIo = synchronousIo;
        Id = id;
        Client = client;
        Request = request;
        Mode = mode;
        Operation = request.Opcode == TftpOpcode.WriteRequest ? TftpOperation.Write : TftpOperation.Read;
        this.options = options;
        this.resolver = resolver;
        this.time = time;
        started = time.GetTimestamp();
    }

    public long Id { get; }

    public IPEndPoint Client { get; }

    public TftpRequestPacket Request { get; }

    public TftpMode Mode { get; }

    public TftpOperation Operation { get; }

    public TransferCounters Counters { get; } = new();

    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the transfer proper is over (before any dallying).</summary>
    public Task Ended => ended.Task;

    public void MarkEnded() => ended.TrySetResult();

    public TftpTransferStatus Snapshot() => new(Id, Client, Operation, Request.FileName, Counters.Bytes, Counters.TotalBytes,
        Counters.Retransmissions, negotiated.Value, time.GetElapsedTime(started));

    /// <summary>
    /// After the final ACK of a write, answers a repeated last DATA with the ACK again for a
    /// while (RFC 1350 section 6: the final ACK may be lost). The transfer is over by then: the
    /// server has already freed its slot, so dallying never counts against the caps.
    /// </summary>
    public async Task DallyAsync(CancellationToken cancel)
    {
        if (completedWrite is null)
        {
            return;
        }

        try
        {
            await completedWrite.DallyAsync(options.Dally ?? options.Timeout, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Stopping: the file is committed already.
        }
    }

    /// <summary>Runs the transfer to its end; never throws for a failure of the transfer itself, which is in the log entry.</summary>
    public async Task<TftpTransferLogEntry> RunAsync(ITftpChannel channel, CancellationToken cancel)
    {
        string? error = null;
        TimeSpan duration = TimeSpan.Zero;
        DataReceiver? receiver = null;
        try
        {
            receiver = Operation == TftpOperation.Read
                ? await ReadAsync(channel, cancel).ConfigureAwait(false)
                : await WriteAsync(channel, cancel).ConfigureAwait(false);
        }
        catch (TftpProtocolException e) when (!e.FromPeer)
        {
            error = e.Message;
            await ChannelErrors.TrySendAsync(channel, e.ErrorCode, e.Message).ConfigureAwait(false);
        }
        catch (TftpException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error = "server stopped";
            await ChannelErrors.TrySendAsync(channel, TftpErrorCode.NotDefined, "server shutting down").ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException)
        {
            error = "access denied by the file system";
            await ChannelErrors.TrySendAsync(channel, TftpErrorCode.AccessViolation, "access denied").ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The full message may name server paths: it goes to the log, not to the client.
            error = $"I/O error: {e.Message}";
            await ChannelErrors.TrySendAsync(channel, Operation == TftpOperation.Write ? TftpErrorCode.DiskFull : TftpErrorCode.NotDefined, "I/O error on the server").ConfigureAwait(false);
        }
        finally
        {
            duration = time.GetElapsedTime(started);
        }

        completedWrite = error is null ? receiver : null;
        return new TftpTransferLogEntry(Client, Operation, Request.FileName, Counters.Bytes, duration, Counters.Retransmissions, negotiated.Value, error);
    }

    private async Task<DataReceiver?> ReadAsync(ITftpChannel channel, CancellationToken cancel)
    {
        string path = resolver.ResolveForRead(Request.FileName);
        // Unbuffered: a large block is read straight into its packet (one copy fewer); small
        // blocks get a buffer below, so the file is still read in large chunks.
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            if (file.Length > options.MaxReadSize)
            {
                throw new TftpProtocolException(TftpErrorCode.AccessViolation, $"file '{Request.FileName}' is {file.Length} bytes, over the read limit of {options.MaxReadSize} bytes");
            }

            ServerNegotiation negotiation = ServerOptionNegotiator.Negotiate(Request, Mode, options, file.Length);
            negotiated = new StrongBox<TftpNegotiatedOptions>(negotiation.Options);
            if (Mode == TftpMode.Octet)
            {
                Counters.TotalBytes = file.Length;
            }

            if (negotiation.Acknowledged.Count > 0)
            {
                byte[] oack = Encode(new TftpOackPacket(negotiation.Acknowledged));
                await new OackSender(channel, negotiation.Timeout, options.MaxRetries, Counters, time).RunAsync(oack, cancel).ConfigureAwait(false);
            }

            var settings = new TransferSettings(negotiation.Options.BlockSize, negotiation.Options.WindowSize, negotiation.Timeout, options.MaxRetries, long.MaxValue, synchronousIo);
            Stream source = Mode == TftpMode.Netascii ? new NetasciiEncodingStream(file, leaveOpen: true)
                : negotiation.Options.BlockSize < LargeBlock ? new BufferedStream(file, FileBufferSize)
                : file;
            try
            {
                await new DataSender(channel, settings, source, Counters, time) { Throttle = throttle }.RunAsync(cancel).ConfigureAwait(false);
            }
            finally
            {
                if (!ReferenceEquals(source, file))
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return null;
    }

    private async Task<DataReceiver?> WriteAsync(ITftpChannel channel, CancellationToken cancel)
    {
        string target = resolver.ResolveForWrite(Request.FileName, options.AllowOverwrite, out _);
        ServerNegotiation negotiation = ServerOptionNegotiator.Negotiate(Request, Mode, options, fileSize: null);
        negotiated = new StrongBox<TftpNegotiatedOptions>(negotiation.Options);
        Counters.TotalBytes = negotiation.Options.TransferSize;

        // Receive into an atomic file: a failed upload never leaves a partial file nor damages the
        // old one (docs/FORMAT.md, "Order of writes (atomic files)").
        AtomicFile file = AtomicFile.Create(target, options.AllowOverwrite, bufferSize: FileBufferSize);
        await using (file.ConfigureAwait(false))
        {
            NetasciiDecodingStream? text = Mode == TftpMode.Netascii ? new NetasciiDecodingStream(file.Stream, leaveOpen: true) : null;
            byte[] initial = negotiation.Acknowledged.Count > 0
                ? Encode(new TftpOackPacket(negotiation.Acknowledged))
                : new byte[TftpAckPacket.Size];
            if (negotiation.Acknowledged.Count == 0)
            {
                new TftpAckPacket(0).WriteTo(initial);
            }

            var settings = new TransferSettings(negotiation.Options.BlockSize, negotiation.Options.WindowSize, negotiation.Timeout, options.MaxRetries, options.MaxWriteSize, synchronousIo);
            var receiver = new DataReceiver(channel, settings, (Stream?)text ?? file.Stream, Counters, time)
            {
                StrictFirstBlock = negotiation.Options.WindowSize == 1,
                BeforeFinalAck = c =>
                {
                    // The file is committed (data, rename and directory on disk) before the final
                    // ACK: a client that saw the ACK has its file stored.
                    text?.Complete();
                    try
                    {
                        file.Commit();
                    }
                    catch (IOException) when (!options.AllowOverwrite && File.Exists(target))
                    {
                        throw new TftpProtocolException(TftpErrorCode.FileAlreadyExists, $"file '{Request.FileName}' was created by someone else during the transfer");
                    }

                    return ValueTask.CompletedTask;
                },
            };
            try
            {
                await receiver.RunAsync(initial, ReadOnlyMemory<byte>.Empty, cancel).ConfigureAwait(false);
            }
            finally
            {
                text?.Dispose();
            }

            return receiver;
        }
    }

    private static byte[] Encode(TftpOackPacket oack)
    {
        var bytes = new byte[oack.GetLength()];
        oack.WriteTo(bytes);
        return bytes;
    }
}
