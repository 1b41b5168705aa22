using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace RecoverySim.Lab.Network;

/// <summary>
/// A UDP relay between clients and one server, on loopback, that delays, jitters, drops,
/// duplicates and reorders packets (the kernel here has no netem). Decisions come from a seeded
/// <see cref="ImpairmentModel"/> per direction and delays from the injected
/// <see cref="TimeProvider"/>, so a run replays exactly for the same packet sequence.
/// </summary>
/// <remarks>
/// <para>Routing. A client sends to <see cref="LocalEndPoint"/>; the relay opens one upstream
/// socket per client and forwards to <see cref="LossyUdpRelayOptions.Server"/>. A TFTP server
/// answers from a fresh port (its TID, RFC 1350 section 4): for every server port a session
/// sees, the relay opens a fresh client-facing port, so the client sees a distinct TID per
/// server TID and its packets to that port go back to that server port. Packets the server
/// sends from its well-known port reach the client from <see cref="LocalEndPoint"/>.</para>
/// <para>Packets from an address a client-facing port is not mapped to are counted as
/// unrouted and not forwarded. Mappings idle for <see cref="LossyUdpRelayOptions.IdleTimeout"/>
/// are closed when a new one is made.</para>
/// </remarks>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    // The server-to-client model gets its own stream, derived from the seed (any odd constant).
    private const int ServerToClientSeedSalt = 0x5BD1E995;

    private readonly LossyUdpRelayOptions _options;
    private readonly TimeProvider _time;
    private readonly ImpairmentModel _toServerModel;
    private readonly ImpairmentModel _toClientModel;
    private readonly Lock _toServerModelGate = new();
    private readonly Lock _toClientModelGate = new();
    private readonly DirectionCounters _toServer = new();
    private readonly DirectionCounters _toClient = new();
    private readonly DeliveryScheduler _scheduler;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPEndPoint, RelaySession> _sessions = new();
    private readonly List<Task> _loops = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listen;
    private int _state; // 0 created, 1 started, 2 stopped

    /// <summary>Creates a relay; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Where to listen, where to forward, and the impairments.</param>
    /// <param name="time">The clock for delays (defaults to <see cref="TimeProvider.System"/>).</param>
    public LossyUdpRelay(LossyUdpRelayOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _toServerModel = new ImpairmentModel(options.ClientToServer, ModelSeed(options.Seed, RelayDirection.ClientToServer));
        _toClientModel = new ImpairmentModel(options.ServerToClient, ModelSeed(options.Seed, RelayDirection.ServerToClient));
        _scheduler = new DeliveryScheduler(_time);
    }

    /// <summary>
    /// The seed of the <see cref="ImpairmentModel"/> of one direction, for a relay seeded with
    /// <paramref name="seed"/>: the seed itself towards the server, the seed XOR a constant
    /// towards the client. The mapping is its own inverse, so applying it to a model seed gives
    /// the relay seed that produces it (tests use this to replay a chosen fate sequence).
    /// </summary>
    public static int ModelSeed(int seed, RelayDirection direction) =>
        direction == RelayDirection.ClientToServer ? seed : seed ^ ServerToClientSeedSalt;

    /// <summary>The address clients send to. Valid once started.</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint)(_listen?.LocalEndPoint ?? throw new InvalidOperationException("the relay is not started"));

    /// <summary>The settings this relay runs with.</summary>
    public LossyUdpRelayOptions Options => _options;

    /// <summary>A snapshot of the counters.</summary>
    public RelayStatistics Statistics
    {
        get
        {
            int sessions, mappings = 0;
            lock (_gate)
            {
                sessions = _sessions.Count;
                foreach (RelaySession session in _sessions.Values)
                {
                    mappings += session.Mappings.Count;
                }
            }

            return new RelayStatistics(_toServer.Snapshot(), _toClient.Snapshot(), sessions, mappings);
        }
    }

    /// <summary>Binds the listening socket and starts forwarding. Returns once bound.</summary>
    /// <param name="cancel">Cancels the start only; use <see cref="StopAsync"/> (or <see cref="RunAsync"/>) to stop.</param>
    public Task StartAsync(CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the relay was already started");
        }

        _listen = OpenSocket(_options.ListenEndPoint);
        lock (_gate)
        {
            _loops.Add(Task.Run(() => _scheduler.RunAsync(Deliver, _stop.Token), CancellationToken.None));
            _loops.Add(Task.Run(() => ClientFacingLoopAsync(_listen, null, _stop.Token), CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts the relay, runs it until <paramref name="cancel"/> fires, then stops it.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        await StartAsync(cancel).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The normal way to end a run.
        }
        finally
        {
            await StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops forwarding, closes every socket and drops packets still delayed. Rethrows a socket
    /// error that ended a receive loop early, if any.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] loops;
        lock (_gate)
        {
            _listen?.Dispose();
            foreach (RelaySession session in _sessions.Values)
            {
                CloseSession(session);
            }

            _sessions.Clear();
            loops = _loops.ToArray();
        }

        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            _scheduler.Dispose();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    // Relay ports other than the listening one: same address, any free port.
    private IPEndPoint EphemeralEndPoint => new(_options.ListenEndPoint.Address, 0);

    private Socket OpenSocket(IPEndPoint bindTo)
    {
        var socket = new Socket(_options.ListenEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = _options.SocketBufferSize;
            socket.SendBufferSize = _options.SocketBufferSize;
            socket.Bind(bindTo);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Receives from clients on the listening port (<paramref name="mapping"/> null) or on one TID port.</summary>
    private Task ClientFacingLoopAsync(Socket socket, PortMapping? mapping, CancellationToken cancel) =>
        ReceiveLoopAsync(socket, (from, datagram) =>
        {
            long now = _time.GetTimestamp();
            RelaySession session;
            IPEndPoint target;
            if (mapping is null)
            {
                session = GetOrCreateSession(from, now, cancel);
                target = _options.Server;
            }
            else if (mapping.Session.Client.Equals(from))
            {
                session = mapping.Session;
                target = mapping.ServerTid;
                mapping.Touch(now);
            }
            else
            {
                _toServer.Unrouted();
                return;
            }

            session.Touch(now);
            Forward(RelayDirection.ClientToServer, datagram, session.Upstream, target);
        }, cancel);

    /// <summary>Receives from the server (any of its ports) on one session's upstream socket.</summary>
    private Task ServerFacingLoopAsync(RelaySession session, CancellationToken cancel) =>
        ReceiveLoopAsync(session.Upstream, (from, datagram) =>
        {
            long now = _time.GetTimestamp();
            Socket? front = from.Equals(_options.Server) ? _listen : GetOrCreateMapping(session, from, now, cancel)?.Front;
            if (front is null)
            {
                // The session was closed while this packet was in flight.
                _toClient.Unrouted();
                return;
            }

            session.Touch(now);
            Forward(RelayDirection.ServerToClient, datagram, front, session.Client);
        }, cancel);

    /// <summary>Hands every datagram that arrives on <paramref name="socket"/> to <paramref name="handle"/> until the relay stops.</summary>
    private async Task ReceiveLoopAsync(Socket socket, Action<IPEndPoint, ReadOnlySpan<byte>> handle, CancellationToken cancel)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(LossyUdpRelayOptions.MaxDatagramSize);
        EndPoint any = new IPEndPoint(_options.ListenEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (IsShutdown(e, cancel))
            {
                return;
            }
            catch (SocketException e) when (IsTransient(e))
            {
                continue;
            }

            handle((IPEndPoint)received.RemoteEndPoint, buffer.AsSpan(0, received.ReceivedBytes));
        }
    }

    private RelaySession GetOrCreateSession(IPEndPoint client, long now, CancellationToken cancel)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(client, out RelaySession? session))
            {
                return session;
            }

            SweepIdle(now);
            session = new RelaySession(client, OpenSocket(EphemeralEndPoint), now);
            _sessions.Add(client, session);
            AddLoop(Task.Run(() => ServerFacingLoopAsync(session, cancel), CancellationToken.None));
            return session;
        }
    }

    private PortMapping? GetOrCreateMapping(RelaySession session, IPEndPoint serverTid, long now, CancellationToken cancel)
    {
        lock (_gate)
        {
            if (session.Mappings.TryGetValue(serverTid, out PortMapping? mapping))
            {
                mapping.Touch(now);
                return mapping;
            }

            if (!_sessions.ContainsKey(session.Client) || cancel.IsCancellationRequested)
            {
                return null;
            }

            SweepIdle(now);
            mapping = new PortMapping(session, serverTid, OpenSocket(EphemeralEndPoint), now);
            session.Mappings.Add(serverTid, mapping);
            AddLoop(Task.Run(() => ClientFacingLoopAsync(mapping.Front, mapping, cancel), CancellationToken.None));
            return mapping;
        }
    }

    /// <summary>Tracks a receive loop, forgetting those that ended cleanly (one per closed mapping). Caller holds the lock.</summary>
    private void AddLoop(Task loop)
    {
        _loops.RemoveAll(static t => t.IsCompletedSuccessfully);
        _loops.Add(loop);
    }

    /// <summary>Closes sessions and mappings idle for longer than the idle timeout. Caller holds the lock.</summary>
    private void SweepIdle(long now)
    {
        List<IPEndPoint>? idleSessions = null;
        foreach (RelaySession session in _sessions.Values)
        {
            if (_time.GetElapsedTime(session.LastActivity, now) > _options.IdleTimeout)
            {
                (idleSessions ??= new()).Add(session.Client);
                continue;
            }

            List<IPEndPoint>? idleMappings = null;
            foreach (PortMapping mapping in session.Mappings.Values)
            {
                if (_time.GetElapsedTime(mapping.LastActivity, now) > _options.IdleTimeout)
                {
                    (idleMappings ??= new()).Add(mapping.ServerTid);
                }
            }

            foreach (IPEndPoint tid in idleMappings ?? [])
            {
                session.Mappings.Remove(tid, out PortMapping? mapping);
                mapping!.Front.Dispose();
            }
        }

        foreach (IPEndPoint client in idleSessions ?? [])
        {
            _sessions.Remove(client, out RelaySession? session);
            CloseSession(session!);
        }
    }

    private static void CloseSession(RelaySession session)
    {
        session.Upstream.Dispose();
        foreach (PortMapping mapping in session.Mappings.Values)
        {
            mapping.Front.Dispose();
        }
    }

    private void Forward(RelayDirection direction, ReadOnlySpan<byte> packet, Socket via, IPEndPoint to)
    {
        DirectionCounters counters = CountersOf(direction);
        counters.Received();
        PacketFate fate;
        ImpairmentModel model;
        if (direction == RelayDirection.ClientToServer)
        {
            model = _toServerModel;
            lock (_toServerModelGate)
            {
                fate = model.Next();
            }
        }
        else
        {
            model = _toClientModel;
            lock (_toClientModelGate)
            {
                fate = model.Next();
            }
        }

        if (fate.Dropped)
        {
            counters.Dropped();
            return;
        }

        if (fate.Duplicated)
        {
            counters.Duplicated();
        }

        if (fate.Reordered)
        {
            counters.Reordered();
        }

        if (!model.Link.Delays)
        {
            // A link without delay sends from the receive loop itself: order kept, no copy.
            for (int copy = 0; copy < fate.Copies; copy++)
            {
                Send(via, packet, to, counters);
            }

            return;
        }

        for (int copy = 0; copy < fate.Copies; copy++)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(packet.Length, 1));
            packet.CopyTo(buffer);
            _scheduler.Schedule(new ScheduledPacket(via, to, buffer, packet.Length, direction), fate.DelayOf(copy));
        }
    }

    private void Deliver(ScheduledPacket packet) =>
        Send(packet.Via, packet.Buffer.AsSpan(0, packet.Length), packet.To, CountersOf(packet.Direction));

    private static void Send(Socket via, ReadOnlySpan<byte> packet, IPEndPoint to, DirectionCounters counters)
    {
        try
        {
            via.SendTo(packet, SocketFlags.None, to);
            counters.Forwarded();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A mapping closed as idle, or a full kernel queue: the packet is lost, and counted.
            counters.SendFailed();
        }
    }

    private DirectionCounters CountersOf(RelayDirection direction) =>
        direction == RelayDirection.ClientToServer ? _toServer : _toClient;

    // A socket closed under a pending receive (Stop, or an idle mapping swept by another loop)
    // completes that receive with OperationAborted: the loop's end, not a fault.
    private static bool IsShutdown(Exception e, CancellationToken cancel) =>
        e is OperationCanceledException or ObjectDisposedException
        || (e is SocketException s && (cancel.IsCancellationRequested
            || s.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown));

    // ICMP port-unreachable from an earlier send surfaces on some platforms as a receive error.
    private static bool IsTransient(SocketException e) =>
        e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize;
}
