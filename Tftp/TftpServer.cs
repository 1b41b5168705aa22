using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Server;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp;

/// <summary>
/// A TFTP server (RFC 1350, 2347, 2348, 2349, 7440) for a root directory: read-only unless
/// asked, every path kept under the root, each transfer on its own socket (its own transfer
/// ID), with caps on concurrent transfers in total and per client address, client allow and
/// deny lists, a per-client rate limit, and its counts in a <see cref="TftpMeter"/> meter. Its
/// settings can be replaced while it runs (<see cref="Reconfigure"/>), and it can stop
/// gracefully (<see cref="StopAsync(TimeSpan)"/>).
/// </summary>
public sealed class TftpServer : IAsyncDisposable
{
    private const int ListenBufferSize = 2048;
    private readonly TimeProvider time;
    private readonly ITftpLog? log;
    private readonly ConcurrentDictionary<long, ServerTransfer> active = new();
    private readonly ConcurrentDictionary<long, Task> running = new();

    // Requests whose transfer ended a moment ago: a repeat of one is dropped (see HandleDatagram).
    private readonly FinishedTransferTable finished = new();
    private readonly ConcurrentDictionary<IPAddress, TokenBucket> buckets = new();
    private readonly ServerMeter meter;

    // Cancels the listening loop only: a graceful stop lets the transfers run on.
    private readonly CancellationTokenSource listenStop = new();

    // Cancels the transfers in progress: each sends an ERROR and ends (an upload leaves no file).
    private readonly CancellationTokenSource stopping = new();
    private volatile Settings settings;
    private Socket? listener;
    private Task listening = Task.CompletedTask;
    private IPEndPoint? localEndPoint;
    private long nextId;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync(CancellationToken)"/>.</summary>
    /// <param name="options">The settings (validated here).</param>
    /// <param name="time">The clock for timeouts and durations; the system clock when null.</param>
    /// <param name="log">Receives one event per request and per transfer; nothing when null.</param>
    /// <param name="meters">Makes the server's <see cref="TftpMeter"/> meter (its scope tells this server's instruments from another's); a plain meter when null.</param>
    public TftpServer(TftpServerOptions options, TimeProvider? time = null, ITftpLog? log = null, IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        settings = new Settings(options, null);
        this.time = time ?? TimeProvider.System;
        this.log = log;
        meter = new ServerMeter(meters, () => active.Values);
    }

    /// <summary>The settings in force: those of the constructor, or of the last <see cref="Reconfigure"/>.</summary>
    public TftpServerOptions Options => settings.Options;

    /// <summary>The bound endpoint (the real port when <see cref="TftpServerOptions.EndPoint"/> asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => localEndPoint ?? throw new InvalidOperationException("the server is not started");

    /// <summary>A snapshot of the transfers in progress.</summary>
    public IReadOnlyCollection<TftpTransferStatus> ActiveTransfers => active.Values.Select(t => t.Snapshot()).OrderBy(s => s.Id).ToArray();

    /// <summary>Checks the root and binds the listening socket; the server then runs until <see cref="StopAsync()"/>.</summary>
    public Task StartAsync(CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        TftpServerOptions options = settings.Options;
        Start(() => SocketTftpChannel.CreateSocket(options.EndPoint, options.SocketBufferSize));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Checks the root and listens on <paramref name="socket"/>, a bound UDP socket made by someone
    /// else (systemd socket activation); <see cref="TftpServerOptions.EndPoint"/> is then not used.
    /// The server owns the socket from here on.
    /// </summary>
    /// <exception cref="ArgumentException">The socket is not a bound datagram socket.</exception>
    public Task StartAsync(Socket socket, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(socket);
        cancel.ThrowIfCancellationRequested();
        if (socket.SocketType != SocketType.Dgram || socket.LocalEndPoint is not IPEndPoint)
        {
            throw new ArgumentException($"the listening socket must be a bound UDP socket, found {socket.SocketType} at {socket.LocalEndPoint?.ToString() ?? "no address"}", nameof(socket));
        }

        Start(() => socket);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Replaces the settings for requests from now on; transfers in progress finish with the
    /// settings they started with. The listening endpoint and socket buffer size stay as they
    /// were bound (a new <see cref="TftpServerOptions.EndPoint"/> takes effect on the next start).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range (the old settings stay).</exception>
    /// <exception cref="DirectoryNotFoundException">The new root is not a directory (the old settings stay).</exception>
    public void Reconfigure(TftpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Settings current = settings;
        settings = new Settings(options, current.Resolver is null ? null : new TftpPathResolver(options.Root));
    }

    /// <summary>Stops listening, cancels the transfers in progress and waits for them to end.</summary>
    public Task StopAsync() => StopAsync(TimeSpan.Zero);

    /// <summary>
    /// Stops listening at once, lets the transfers in progress run for up to <paramref name="grace"/>,
    /// then cancels those still running (each sends the client an ERROR; an upload leaves no file)
    /// and waits for them to end.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        if (!listenStop.IsCancellationRequested)
        {
            await listenStop.CancelAsync().ConfigureAwait(false);
        }

        listener?.Dispose();
        await listening.ConfigureAwait(false);
        if (grace > TimeSpan.Zero && !active.IsEmpty)
        {
            // The transfers proper, not their dallying after a completed write.
            Task[] transfers = [.. active.Values.Select(t => t.Ended)];
            try
            {
                await Task.WhenAll(transfers).WaitAsync(grace, time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Those still running are cut below.
            }
        }

        if (!stopping.IsCancellationRequested)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(running.Values).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        meter.Dispose();
        stopping.Dispose();
        listenStop.Dispose();
    }

    private void Start(Func<Socket> bind)
    {
        if (listener is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }

        Settings current = settings;
        var resolver = new TftpPathResolver(current.Options.Root);
        listener = bind();
        settings = current with { Resolver = resolver };
        localEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        listening = Task.Run(() => ListenAsync(listener, listenStop.Token), CancellationToken.None);
    }

    private async Task ListenAsync(Socket socket, CancellationToken cancel)
    {
        byte[] buffer = new byte[ListenBufferSize];
        BurstCollector bursts = BurstCollector.ForServer();
        var from = new SocketAddress(socket.AddressFamily, SocketAddress.GetMaximumAddressSize(socket.AddressFamily));
        IPEndPoint template = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancel.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
            {
                length = buffer.Length; // longer than any request may be: refused below
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
            {
                continue;
            }

            var client = (IPEndPoint)template.Create(from);
            HandleDatagram(socket, buffer.AsSpan(0, length), from, client, stopping.Token);
            if (bursts.CountHandled() && socket.Available == 0)
            {
                bursts.Collect();
            }
        }
    }

    private void HandleDatagram(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress from, IPEndPoint client, CancellationToken cancel)
    {
        Settings current = settings; // one request sees one configuration
        TftpServerOptions options = current.Options;
        // RFC 2347 "Packet Formats": a request is at most 512 bytes. Larger is dropped unanswered,
        // so the listening port never amplifies.
        if (datagram.Length > TftpLimits.MaxRequestSize)
        {
            LogRequest(client, null, null, string.Empty, $"dropped: {datagram.Length}-byte datagram exceeds the {TftpLimits.MaxRequestSize}-byte request limit");
            return;
        }

        if (!TftpPacket.TryReadOpcode(datagram, out TftpOpcode opcode))
        {
            LogRequest(client, null, null, string.Empty, $"dropped: {datagram.Length}-byte datagram is too short for an opcode");
            return;
        }

        switch (opcode)
        {
            case TftpOpcode.ReadRequest or TftpOpcode.WriteRequest:
                break;
            case TftpOpcode.Error:
                // Never answer an ERROR: two servers could bounce errors forever.
                LogRequest(client, null, null, string.Empty, "dropped: ERROR packet to the listening port");
                return;
            case TftpOpcode.Data or TftpOpcode.Ack:
                // RFC 1350 section 4: a packet for no known transfer gets ERROR 5.
                Refuse(socket, from, client, null, null, string.Empty, "unknown-transfer", TftpErrorCode.UnknownTransferId,
                    $"{opcode} packet to the listening port belongs to no transfer");
                return;
            default:
                Refuse(socket, from, client, null, null, string.Empty, "bad-request", TftpErrorCode.IllegalOperation,
                    $"opcode {(ushort)opcode} is not a request (expected 1 RRQ or 2 WRQ)");
                return;
        }

        TftpOperation operation = opcode == TftpOpcode.WriteRequest ? TftpOperation.Write : TftpOperation.Read;
        meter.Request(operation);
        if (options.AccessRefusal(client.Address) is { } denied)
        {
            // Before the request is parsed: a refused client learns nothing but ERROR 2.
            Refuse(socket, from, client, operation, null, string.Empty, "access", TftpErrorCode.AccessViolation, "access denied", denied);
            return;
        }

        TftpRequestPacket request;
        try
        {
            request = TftpRequestPacket.Parse(datagram);
        }
        catch (TftpProtocolException e)
        {
            Refuse(socket, from, client, operation, null, string.Empty, "bad-request", e.ErrorCode, e.Message);
            return;
        }

        string optionText = string.Join(' ', request.Options.Select(o => $"{o.Name}={o.Value}"));
        if (!TftpTransferHost.TryParseMode(request.Mode, out TftpMode mode))
        {
            Refuse(socket, from, client, operation, request.FileName, optionText, "bad-request", TftpErrorCode.IllegalOperation,
                TftpTransferHost.ModeNotSupported(request.Mode));
            return;
        }

        int fromClient = 0;
        foreach (ServerTransfer transfer in active.Values)
        {
            if (transfer.Client.Equals(client))
            {
                // The client repeated its request because our first answer was late or lost:
                // the transfer already running answers it by retransmitting.
                meter.Refusal("repeated");
                LogRequest(client, operation, request.FileName, optionText, "dropped: repeated request of a running transfer");
                return;
            }

            if (transfer.Client.Address.Equals(client.Address))
            {
                fromClient++;
            }
        }

        if (finished.Contains(client, operation, request.FileName, time.GetTimestamp()))
        {
            // The same request from the same client port, just after its transfer ended: a repeat
            // that the network delayed or duplicated (the client resends its request until the
            // first answer arrives). Serving it again would send DATA to a closed port until the
            // retries ran out, holding a slot all that time. A client that truly wants the file
            // again uses a new port, or repeats after the window (twice the timeout).
            meter.Refusal("repeated");
            LogRequest(client, operation, request.FileName, optionText, "dropped: repeated request of a transfer that just ended");
            return;
        }

        if (operation == TftpOperation.Write && !options.AllowWrite)
        {
            Refuse(socket, from, client, operation, request.FileName, optionText, "read-only", TftpErrorCode.AccessViolation, TftpTransferHost.ReadOnlyServer);
            return;
        }

        if (active.Count >= options.MaxTransfers)
        {
            Refuse(socket, from, client, operation, request.FileName, optionText, "busy", TftpErrorCode.NotDefined,
                $"server busy: {active.Count} transfers running, the limit is {options.MaxTransfers}");
            return;
        }

        if (fromClient >= options.MaxTransfersPerClient)
        {
            Refuse(socket, from, client, operation, request.FileName, optionText, "busy", TftpErrorCode.NotDefined,
                $"server busy: {fromClient} transfers running for {client.Address}, the limit is {options.MaxTransfersPerClient}");
            return;
        }

        Socket transferSocket;
        try
        {
            transferSocket = SocketTftpChannel.CreateSocket(new IPEndPoint(LocalEndPoint.Address, 0), options.SocketBufferSize);
        }
        catch (SocketException e)
        {
            Refuse(socket, from, client, operation, request.FileName, optionText, "socket", TftpErrorCode.NotDefined, $"server cannot open a transfer socket: {e.SocketErrorCode}");
            return;
        }

        TokenBucket? throttle = options.RateLimit == 0 ? null
            : buckets.AddOrUpdate(client.Address, (_, state) => new TokenBucket(state.Rate, state.Time),
                (_, old, state) => old.Rate == state.Rate ? old : new TokenBucket(state.Rate, state.Time), (Rate: options.RateLimit, Time: time));
        var started = new ServerTransfer(Interlocked.Increment(ref nextId), client, request, mode, options, current.Resolver!, time, synchronousIo: true, throttle);
        active[started.Id] = started;
        LogRequest(client, operation, request.FileName, optionText, null);
        var channel = new SocketTftpChannel(transferSocket, client, locked: true, blocking: true, options.ReceiveSpin);
        Task<bool> completion = DedicatedThread.Run($"tftp-transfer-{started.Id}", () => RunTransferAsync(started, channel, cancel));
        running[started.Id] = completion;
        _ = completion.ContinueWith((_, state) => running.TryRemove((long)state!, out Task? _), started.Id, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<bool> RunTransferAsync(ServerTransfer transfer, SocketTftpChannel channel, CancellationToken cancel)
    {
        try
        {
            TftpTransferLogEntry entry;
            string outcome = "failed";
            try
            {
                entry = await transfer.RunAsync(channel, cancel).ConfigureAwait(false) with { Polling = channel.Polling };
                outcome = entry.Error is null ? "completed" : cancel.IsCancellationRequested ? "cancelled" : "failed";
                log?.Transfer(entry);
            }
            finally
            {
                // The slot is free as soon as the transfer is over, before any dallying.
                RememberFinished(transfer);
                meter.Ended(transfer, outcome, () => active.TryRemove(transfer.Id, out _));
                if (!active.Values.Any(t => t.Client.Address.Equals(transfer.Client.Address)))
                {
                    buckets.TryRemove(transfer.Client.Address, out _);
                }

                transfer.MarkEnded();
            }

            await transfer.DallyAsync(cancel).ConfigureAwait(false);
            return entry.Error is null;
        }
        finally
        {
            channel.Dispose();
        }
    }

    private void RememberFinished(ServerTransfer transfer)
    {
        long now = time.GetTimestamp();
        long window = (long)(2 * settings.Options.Timeout.TotalSeconds * time.TimestampFrequency);
        finished.Add(transfer.Client, transfer.Operation, transfer.Request.FileName, now, now + window);
    }

    private void Refuse(Socket socket, SocketAddress to, IPEndPoint client, TftpOperation? operation, string? fileName, string optionText, string reason,
        TftpErrorCode code, string message, string? logMessage = null)
    {
        meter.Refusal(reason);
        byte[] packet = ChannelErrors.Encode(code, message);
        try
        {
            socket.SendTo(packet, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // The client is unreachable; the refusal is logged below either way.
        }

        LogRequest(client, operation, fileName, optionText, $"refused with ERROR {(ushort)code}: {logMessage ?? message}");
    }

    /// <summary>The settings of new requests: the options and the resolver of their root (null until started).</summary>
    private sealed record Settings(TftpServerOptions Options, TftpPathResolver? Resolver);

    private void LogRequest(IPEndPoint client, TftpOperation? operation, string? fileName, string optionText, string? reason) =>
        log?.Request(new TftpRequestLogEntry(client, operation, fileName, optionText, reason is null, reason));
}
