using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Text;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp;

/// <summary>
/// A TFTP client (RFC 1350, 2347, 2348, 2349, 7440). Each transfer uses its own socket.
/// It checks what the server grants against what it asked, limits the accepted size, and
/// never resumes anything: a failed transfer throws, and the caller decides.
/// </summary>
public sealed class TftpClient
{
    private readonly TftpClientOptions options;
    private readonly TimeProvider time;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The settings (validated here).</param>
    /// <param name="time">The clock for timeouts and durations; the system clock when null.</param>
    public TftpClient(TftpClientOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>Reads <paramref name="fileName"/> from <paramref name="server"/> into <paramref name="destination"/> (RRQ).</summary>
    /// <exception cref="TftpProtocolException">The server refused, or broke the protocol.</exception>
    /// <exception cref="TftpTimeoutException">The server stopped answering.</exception>
    public Task<TftpTransferResult> GetAsync(IPEndPoint server, string fileName, Stream destination, IProgress<TftpProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("destination is not writable", nameof(destination));
        }

        return RunOnSocketAsync(server, TftpOperation.Read, fileName, destination, progress, cancel);
    }

    /// <summary>Writes <paramref name="source"/> to <paramref name="server"/> as <paramref name="fileName"/> (WRQ).</summary>
    /// <exception cref="TftpProtocolException">The server refused, or broke the protocol.</exception>
    /// <exception cref="TftpTimeoutException">The server stopped answering.</exception>
    public Task<TftpTransferResult> PutAsync(IPEndPoint server, string fileName, Stream source, IProgress<TftpProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("source is not readable", nameof(source));
        }

        return RunOnSocketAsync(server, TftpOperation.Write, fileName, source, progress, cancel);
    }

    /// <summary>Runs a transfer over <paramref name="channel"/>, whose peer is the server's listening endpoint.</summary>
    internal Task<TftpTransferResult> RunAsync(ITftpChannel channel, TftpOperation operation, string fileName, Stream stream, IProgress<TftpProgress>? progress, CancellationToken cancel, bool synchronousIo = false) =>
        RunAsync(channel, operation, fileName, stream, BuildOptions(operation, stream), progress, cancel, synchronousIo);

    /// <summary>
    /// Reads <paramref name="fileName"/> into <paramref name="destination"/> over a caller-given
    /// channel whose peer is the server's listening endpoint (an in-memory, seeded link in a
    /// campaign; a relay). The channel stays the caller's. No second request is made on it: a
    /// server that refuses the options gets no plain retry here.
    /// </summary>
    public Task<TftpTransferResult> GetAsync(ITftpChannel channel, string fileName, Stream destination, IProgress<TftpProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(destination);
        return RunAsync(channel, TftpOperation.Read, fileName, destination, progress, cancel);
    }

    private async Task<TftpTransferResult> RunAsync(ITftpChannel channel, TftpOperation operation, string fileName, Stream stream, List<TftpOption> requested,
        IProgress<TftpProgress>? progress, CancellationToken cancel, bool synchronousIo)
    {
        var request = new TftpRequestPacket(
            operation == TftpOperation.Read ? TftpOpcode.ReadRequest : TftpOpcode.WriteRequest,
            fileName,
            options.Mode == TftpMode.Netascii ? "netascii" : "octet",
            requested);
        int requestLength = request.GetLength();
        if (requestLength > TftpLimits.MaxRequestSize)
        {
            throw new ArgumentException($"the request would be {requestLength} bytes, over the {TftpLimits.MaxRequestSize}-byte limit: the file name is too long", nameof(fileName));
        }

        byte[] requestBytes = new byte[requestLength];
        request.WriteTo(requestBytes);

        var counters = new TransferCounters(progress);
        long started = time.GetTimestamp();
        int largestBlock = Math.Max(options.BlockSize ?? TftpLimits.DefaultBlockSize, TftpLimits.DefaultBlockSize);
        int replyLength = Math.Max(TftpDataPacket.Size + largestBlock + 1, 1024);
        byte[] reply = ArrayPool<byte>.Shared.Rent(replyLength);
        try
        {
            int length = await new RequestSender(channel, options.Timeout, options.MaxRetries, counters, time)
                .RunAsync(requestBytes, reply.AsMemory(0, replyLength), cancel).ConfigureAwait(false);
            try
            {
                bool cut = length >= replyLength;
                TftpNegotiatedOptions negotiated = await ContinueAsync(channel, operation, stream, requested, reply.AsMemory(0, length), cut, counters, synchronousIo, cancel).ConfigureAwait(false);
                return new TftpTransferResult(counters.Bytes, counters.Blocks, time.GetElapsedTime(started), counters.Retransmissions, negotiated);
            }
            catch (TftpProtocolException e) when (!e.FromPeer)
            {
                // Tell the server why we stop (RFC 1350 section 7), then let the caller know.
                await ChannelErrors.TrySendAsync(channel, e.ErrorCode, e.Message).ConfigureAwait(false);
                throw;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await ChannelErrors.TrySendAsync(channel, TftpErrorCode.NotDefined, "transfer cancelled by the client").ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private async Task<TftpTransferResult> RunOnSocketAsync(IPEndPoint server, TftpOperation operation, string fileName, Stream stream, IProgress<TftpProgress>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("file name contains a NUL character", nameof(fileName));
        }

        // The transfer runs on a thread of its own with blocking socket calls (see SocketTftpChannel):
        // the caller's thread is free, and no packet waits for a thread-pool thread.
        IPAddress any = server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        List<TftpOption> requested = BuildOptions(operation, stream);
        try
        {
            using var channel = new SocketTftpChannel(ClientSocket(any), server, locked: false, blocking: true, options.ReceiveSpin);
            return await DedicatedThread.Run("tftp-client", () => RunAsync(channel, operation, fileName, stream, requested, progress, cancel, synchronousIo: true)).ConfigureAwait(false);
        }
        catch (TftpProtocolException e) when (e.FromPeer && e.ErrorCode == TftpErrorCode.OptionNegotiationFailed && requested.Count > 0 && options.FallBackWithoutOptions)
        {
            // RFC 2347 section 2: a server that refuses the options answers the request with
            // ERROR 8 (no data has moved); ask again from a new port as a plain RFC 1350 client
            // (512-byte blocks, lockstep, no tsize), as U-Boot does.
            using var channel = new SocketTftpChannel(ClientSocket(any), server, locked: false, blocking: true, options.ReceiveSpin);
            return await DedicatedThread.Run("tftp-client", () => RunAsync(channel, operation, fileName, stream, [], progress, cancel, synchronousIo: true)).ConfigureAwait(false);
        }
    }

    private Socket ClientSocket(IPAddress any)
    {
        Socket socket = SocketTftpChannel.CreateSocket(new IPEndPoint(any, 0), options.SocketBufferSize);
        SocketTftpChannel.ReportUnreachable(socket);
        return socket;
    }

    private async Task<TftpNegotiatedOptions> ContinueAsync(ITftpChannel channel, TftpOperation operation, Stream stream, List<TftpOption> requested,
        ReadOnlyMemory<byte> reply, bool cut, TransferCounters counters, bool synchronousIo, CancellationToken cancel)
    {
        string expected = operation == TftpOperation.Read ? "OACK or DATA 1" : "OACK or ACK 0";
        TftpPacket.TryReadOpcode(reply.Span, out TftpOpcode opcode);
        TftpNegotiatedOptions negotiated = TftpNegotiatedOptions.Default;
        ReadOnlyMemory<byte> firstData = ReadOnlyMemory<byte>.Empty;
        bool strictFirst = true;
        if (opcode == TftpOpcode.OptionAck)
        {
            // RFC 2347: the server accepted some options; they must be ones we asked for.
            TftpOackPacket oack = TftpOackPacket.Parse(reply.Span);
            negotiated = ClientOackValidator.Validate(oack, requested, operation, options.MaxTransferSize);
            strictFirst = negotiated.WindowSize == 1;
        }
        else if (operation == TftpOperation.Read && opcode == TftpOpcode.Data)
        {
            // RFC 2347: a server that ignores every option answers with DATA 1 straight away.
            if (!TftpDataPacket.TryParse(reply.Span, out TftpDataPacket data))
            {
                throw ChannelErrors.Unexpected(reply.Span, expected, cut);
            }

            if (data.Block != 1)
            {
                throw new TftpProtocolException(TftpErrorCode.IllegalOperation, $"first DATA block is {data.Block}, expected 1");
            }

            firstData = reply;
        }
        else if (operation == TftpOperation.Write && opcode == TftpOpcode.Ack)
        {
            if (!TftpAckPacket.TryParse(reply.Span, out TftpAckPacket ack))
            {
                throw ChannelErrors.Unexpected(reply.Span, expected, cut);
            }

            if (ack.Block != 0)
            {
                throw new TftpProtocolException(TftpErrorCode.IllegalOperation, $"the answer to the write request acknowledges block {ack.Block}, expected 0");
            }
        }
        else
        {
            throw ChannelErrors.Unexpected(reply.Span, expected, cut);
        }

        if (operation == TftpOperation.Read)
        {
            counters.TotalBytes = negotiated.TransferSize;
        }

        // RFC 2349: the size the server announced is a promise; more data than that is refused
        // as it arrives, and a transfer that ends short of it is an error too.
        long maxBytes = operation == TftpOperation.Read && negotiated.TransferSize is long announced ? Math.Min(announced, options.MaxTransferSize) : options.MaxTransferSize;
        var settings = new TransferSettings(negotiated.BlockSize, negotiated.WindowSize, options.Timeout, options.MaxRetries, maxBytes, synchronousIo);
        if (operation == TftpOperation.Read)
        {
            NetasciiDecodingStream? text = options.Mode == TftpMode.Netascii ? new NetasciiDecodingStream(stream, leaveOpen: true) : null;
            try
            {
                var receiver = new DataReceiver(channel, settings, (Stream?)text ?? stream, counters, time) { StrictFirstBlock = strictFirst };
                byte[] initial = Array.Empty<byte>();
                if (opcode == TftpOpcode.OptionAck)
                {
                    // RFC 2347: the client acknowledges the OACK with ACK 0.
                    initial = new byte[TftpAckPacket.Size];
                    new TftpAckPacket(0).WriteTo(initial);
                }

                await receiver.RunAsync(initial, firstData, cancel).ConfigureAwait(false);
                if (negotiated.TransferSize is long promised && options.Mode == TftpMode.Octet && counters.Bytes != promised)
                {
                    throw new TftpProtocolException(TftpErrorCode.IllegalOperation, $"transfer ended after {counters.Bytes} bytes, the server announced tsize {promised}");
                }

                text?.Complete();
                if (synchronousIo)
                {
                    stream.Flush();
                }
                else
                {
                    await stream.FlushAsync(cancel).ConfigureAwait(false);
                }

            }
            finally
            {
                text?.Dispose();
            }
        }
        else
        {
            counters.TotalBytes = stream.CanSeek ? stream.Length - stream.Position : null;
            Stream source = options.Mode == TftpMode.Netascii ? new NetasciiEncodingStream(stream, leaveOpen: true) : stream;
            try
            {
                await new DataSender(channel, settings, source, counters, time).RunAsync(cancel).ConfigureAwait(false);
            }
            finally
            {
                if (!ReferenceEquals(source, stream))
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return negotiated;
    }

    private List<TftpOption> BuildOptions(TftpOperation operation, Stream stream)
    {
        var requested = new List<TftpOption>(4);
        if (options.BlockSize is { } blockSize)
        {
            requested.Add(new TftpOption(TftpOptionNames.BlockSize, blockSize.ToString(CultureInfo.InvariantCulture)));
        }

        if (options.WindowSize is { } windowSize)
        {
            requested.Add(new TftpOption(TftpOptionNames.WindowSize, windowSize.ToString(CultureInfo.InvariantCulture)));
        }

        if (options.NegotiateTimeout)
        {
            requested.Add(new TftpOption(TftpOptionNames.Timeout, ((long)options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        }

        if (options.RequestTransferSize && options.Mode == TftpMode.Octet)
        {
            if (operation == TftpOperation.Read)
            {
                // RFC 2349: "tsize 0" in an RRQ asks the server for the size.
                requested.Add(new TftpOption(TftpOptionNames.TransferSize, "0"));
            }
            else if (stream.CanSeek)
            {
                requested.Add(new TftpOption(TftpOptionNames.TransferSize, (stream.Length - stream.Position).ToString(CultureInfo.InvariantCulture)));
            }
        }

        return requested;
    }
}
