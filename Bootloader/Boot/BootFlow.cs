using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;
using RecoverySim.Bootloader.Rpmb;

namespace RecoverySim.Bootloader.Boot;

/// <summary>
/// One power-on of the board (DESIGN.md "Boot flow"), after Android's A/B boot control with
/// verified boot (libavb <c>avb_ab_flow</c>) and U-Boot's bootcount:
/// read the boot control block; honour a recovery request; give up slots whose tries ran out;
/// stop at the boot limit; choose the highest-priority bootable slot, spend one of its tries
/// (persisted before anything else); verify each of its partitions against the trusted keys,
/// the board id and the RPMB rollback indexes; on failure mark it unbootable and try the next;
/// with none left enter recovery. The simulated OS then runs; only when it marks the slot
/// successful are the rollback indexes raised.
/// </summary>
public sealed class BootFlow : IBootControlHal
{
    private readonly BootControlStore _control;
    private readonly RpmbStore _rpmb;
    private readonly BoardProfile _profile;
    private readonly BootLimits _limits;
    private readonly IPartitionVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<Slot> _slots;

    private BootLog? _log;
    private Slot _running;
    private IReadOnlyList<PartitionVerification> _runningPartitions = [];
    private bool _markedSuccessful;

    /// <summary>Creates the flow over the board's stores and verifier.</summary>
    public BootFlow(BootControlStore control, RpmbStore rpmb, BoardProfile profile, BootLimits limits, IPartitionVerifier verifier, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(rpmb);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(time);
        limits.Validate();
        _control = control;
        _rpmb = rpmb;
        _profile = profile;
        _limits = limits;
        _verifier = verifier;
        _time = time;
        _slots = BoardLayout.Slots(profile);
    }

    /// <summary>
    /// Runs one power-on with the OS behaving as <paramref name="health"/>. Faults of the storage
    /// (<see cref="BlockDevice.PowerLossException"/>, <see cref="BlockDevice.MediumException"/>)
    /// propagate: a power cut ends the power-on wherever it lands. Events go to
    /// <paramref name="log"/> when given (the timeline that recovery mode and later power-ons
    /// continue), else to a new log; the result lists every event of that log.
    /// </summary>
    public BootResult PowerOn(OsHealth health, BootLog? log = null)
    {
        log ??= new BootLog(new BootClock(_time));
        _log = log;
        _markedSuccessful = false;
        log.Add(BootEventKind.PowerOn, $"power on ({BoardLayout.ProfileName(_profile)} board)");

        // RPMB first: when it holds no valid copy the power-on stops before anything is written.
        RollbackIndexes stored = _rpmb.Read();
        if (_rpmb.RepairedOnRead)
        {
            log.Add(BootEventKind.RpmbCopyRepaired, "a damaged RPMB copy was rewritten from the valid one");
        }

        BootControlBlock block = ReadControl(log);

        if (block.Recovery.IsRequested)
        {
            log.Add(BootEventKind.RecoveryRequested, $"recovery requested ({BootOutcomeNames.Kebab(block.Recovery.Reason)}, source {BootOutcomeNames.Kebab(block.Recovery.Source)})",
                e => e with { Reason = BootOutcomeNames.Kebab(block.Recovery.Reason) });
            return EnterRecovery(log, block.Recovery.Reason);
        }

        if (_profile == BoardProfile.Ab)
        {
            BootControlBlock normalized = AbRules.Normalize(block, _slots, out IReadOnlyList<Slot> exhausted);
            if (normalized != block)
            {
                block = _control.Write(normalized);
                foreach (Slot slot in exhausted)
                {
                    log.Add(BootEventKind.SlotMarkedUnbootable, $"slot {SlotNames.Name(slot)} marked unbootable: no tries left and never marked successful",
                        e => e with { Slot = SlotNames.Name(slot), Reason = BootOutcomeNames.Kebab(UnbootableReason.TriesExhausted) });
                }
            }
        }

        if (block.BootCount >= _limits.MaxBootsBeforeRecovery)
        {
            log.Add(BootEventKind.BootLimitExceeded, $"{block.BootCount} power-ons without success reached the limit of {_limits.MaxBootsBeforeRecovery}",
                e => e with { Count = block.BootCount });
            return EnterRecovery(log, RecoveryReason.BootLimitExceeded);
        }

        bool countPending = true;
        while (true)
        {
            Slot? chosen = AbRules.Choose(block, _slots);
            if (chosen is null)
            {
                log.Add(BootEventKind.NoBootableSlot, "no bootable slot is left");
                return EnterRecovery(log, RecoveryReason.NoBootableSlot);
            }

            Slot slot = chosen.Value;
            string name = SlotNames.Name(slot);
            SlotState state = block[slot];
            string why = _profile == BoardProfile.Single ? "the only slot of a single board; its boots are counted, not its tries"
                : $"priority {state.Priority}, {(state.Successful ? "successful" : $"{state.TriesRemaining} tries left")}";
            log.Add(BootEventKind.SlotChosen, $"slot {name} chosen ({why})",
                e => e with { Slot = name, TriesRemaining = state.TriesRemaining });

            // Spend the try and count the boot before anything can fail or hang, and persist it:
            // a power cut or a hang from here on has already used this boot (U-Boot, libavb).
            BootControlBlock next = _profile == BoardProfile.Ab ? AbRules.SpendTry(block, slot) : block;
            if (countPending)
            {
                next = next with { BootCount = block.BootCount == uint.MaxValue ? uint.MaxValue : block.BootCount + 1 };
            }

            if (next != block)
            {
                block = _control.Write(next);
                if (block[slot].TriesRemaining != state.TriesRemaining)
                {
                    log.Add(BootEventKind.TriesDecremented, $"slot {name}: {block[slot].TriesRemaining} tries left after this boot",
                        e => e with { Slot = name, TriesRemaining = block[slot].TriesRemaining });
                }

                if (countPending)
                {
                    log.Add(BootEventKind.BootCountIncremented, $"boot counter {block.BootCount} of {_limits.MaxBootsBeforeRecovery}",
                        e => e with { Count = block.BootCount });
                }
            }

            countPending = false;
            (UnbootableReason failure, IReadOnlyList<PartitionVerification> partitions) = VerifySlot(log, slot, stored);
            if (failure != UnbootableReason.None)
            {
                if (_profile == BoardProfile.Single)
                {
                    return EnterRecovery(log, RecoveryReason.PartitionInvalid);
                }

                block = _control.Write(AbRules.MarkUnbootable(block, slot, failure));
                log.Add(BootEventKind.SlotMarkedUnbootable, $"slot {name} marked unbootable: {BootOutcomeNames.Kebab(failure)}",
                    e => e with { Slot = name, Reason = BootOutcomeNames.Kebab(failure) });
                continue;
            }

            return Boot(log, slot, partitions, block, health);
        }
    }

    /// <inheritdoc/>
    void IBootControlHal.MarkBootSuccessful()
    {
        BootLog log = _log ?? throw new InvalidOperationException("no boot in progress");
        BootControlBlock block = _control.Current;
        string name = SlotNames.Name(_running);
        _control.Write(AbRules.MarkSuccessful(block, _running));
        _markedSuccessful = true;
        log.Add(BootEventKind.MarkedSuccessful, $"slot {name} marked successful; boot counter reset", e => e with { Slot = name });
        RaiseRollbackIndexes(log, _runningPartitions);
    }

    private BootResult Boot(BootLog log, Slot slot, IReadOnlyList<PartitionVerification> partitions, BootControlBlock block, OsHealth health)
    {
        string name = SlotNames.Name(slot);
        PartitionVerification first = partitions[0];
        log.Add(BootEventKind.KernelStarted, $"kernel of slot {name} started: release {first.Release}, version {first.Version}",
            e => e with { Slot = name, Release = first.Release, Version = first.Version });

        // libavb raises stored rollback indexes whenever it boots a slot already marked
        // successful: this finishes a raise that a power cut interrupted after the marking.
        if (block[slot].Successful)
        {
            RaiseRollbackIndexes(log, partitions);
        }

        _running = slot;
        _runningPartitions = partitions;
        OsOutcome os = new SimulatedOs(health, TimeSpan.FromSeconds(_limits.HealthCheckSeconds)).Run(log, this);
        return new BootResult(BootOutcome.Booted, log.Events)
        {
            Slot = name,
            Release = first.Release,
            Version = first.Version,
            Os = os,
            MarkedSuccessful = _markedSuccessful,
        };
    }

    private void RaiseRollbackIndexes(BootLog log, IReadOnlyList<PartitionVerification> partitions)
    {
        RollbackIndexes before = _rpmb.Read();
        var raises = new List<(int Location, ulong Value)>();
        foreach (PartitionVerification p in partitions)
        {
            int location = BoardLayout.RollbackLocation(BoardLayout.KindOf(p.Partition));
            if (p.RollbackIndex is ulong value && value > before[location])
            {
                raises.Add((location, value));
            }
        }

        if (raises.Count == 0)
        {
            return;
        }

        _rpmb.Raise(raises);
        foreach ((int location, ulong value) in raises)
        {
            log.Add(BootEventKind.RollbackIndexRaised, $"rollback index {location} raised from {before[location]} to {value}",
                e => e with { Location = location, RollbackIndex = value, PreviousRollbackIndex = before[location] });
        }
    }

    private (UnbootableReason Failure, IReadOnlyList<PartitionVerification> Partitions) VerifySlot(BootLog log, Slot slot, RollbackIndexes stored)
    {
        string name = SlotNames.Name(slot);
        var requests = BoardLayout.SlotPartitions(_profile, slot)
            .Select(partition => (partition, stored[BoardLayout.RollbackLocation(BoardLayout.KindOf(partition))]))
            .ToArray();
        IReadOnlyList<PartitionVerification> results = _verifier.VerifyAll(requests);
        foreach (PartitionVerification result in results)
        {
            string partition = result.Partition;
            if (!result.Verified)
            {
                log.Add(BootEventKind.PartitionRejected, $"{partition} rejected: {result.Detail}",
                    e => e with { Slot = name, Partition = partition, Reason = BootOutcomeNames.Kebab(result.Failure), Release = result.Release, Version = result.Version, RollbackIndex = result.RollbackIndex });
                return (result.Failure, results);
            }

            int location = BoardLayout.RollbackLocation(BoardLayout.KindOf(partition));
            log.Add(BootEventKind.PartitionVerified, $"{partition} verified: release {result.Release}, version {result.Version}, rollback index {result.RollbackIndex}",
                e => e with { Slot = name, Partition = partition, Release = result.Release, Version = result.Version, RollbackIndex = result.RollbackIndex, Location = location });
        }

        string? release = results[0].Release;
        PartitionVerification? odd = results.FirstOrDefault(r => r.Release != release);
        if (odd is not null)
        {
            log.Add(BootEventKind.PartitionRejected, $"{odd.Partition} is from release {odd.Release}, {results[0].Partition} from {release}",
                e => e with { Slot = name, Partition = odd.Partition, Reason = BootOutcomeNames.Kebab(UnbootableReason.ReleaseMismatch), Release = odd.Release });
            return (UnbootableReason.ReleaseMismatch, results);
        }

        return (UnbootableReason.None, results);
    }

    private BootControlBlock ReadControl(BootLog log)
    {
        BootControlRead read = _control.Read();
        if (read.RepairedCopy is int copy)
        {
            log.Add(BootEventKind.BcbCopyRepaired, $"boot control block copy {copy} was damaged and has been rewritten from copy {1 - copy}",
                e => e with { Count = copy });
        }

        if (read.Block is BootControlBlock found)
        {
            return found;
        }

        // libavb avb_ab_data_read: with both copies invalid, start again from the factory state;
        // verification then decides which slot, if any, can still boot.
        BootControlBlock reset = _control.Initialize(BootControlBlock.Factory(_limits.MaxTries), _control.HighestSequence());
        log.Add(BootEventKind.BcbReset, "both boot control block copies were invalid: reset to the factory state");
        return reset;
    }

    private static BootResult EnterRecovery(BootLog log, RecoveryReason reason)
    {
        log.Add(BootEventKind.RecoveryEntered, $"entering recovery mode: {BootOutcomeNames.Kebab(reason)}",
            e => e with { Reason = BootOutcomeNames.Kebab(reason) });
        return new BootResult(BootOutcome.RecoveryRequired, log.Events) { RecoveryReason = reason };
    }
}
