using RecoverySim.Bootloader.Boards;
using RecoverySim.Bootloader.Boot;
using RecoverySim.Bootloader.Control;
using RecoverySim.Bootloader.Os;

namespace RecoverySim.Bootloader.Tests.Boot;

/// <summary>
/// The real boot flow (boot control block on a memory device, RPMB, simulated OS) against a
/// plain model of the A/B rules, over generated sequences of boots with every OS health,
/// corruptions, reflashes, set-active calls and damaged BCB copies.
/// </summary>
public class SlotSelectionModelTests
{
    private const int BootLimit = 8;
    private const int HealthCheckSeconds = 5;

    /// <summary>The A/B rules written out plainly (libavb avb_ab_flow, boot control HAL, U-Boot bootcount).</summary>
    internal sealed class Model(int maxTries)
    {
        public int MaxTries { get; } = maxTries;
        public int[] Priority { get; } = [15, 14];
        public int[] Tries { get; } = [maxTries, maxTries];
        public bool[] Successful { get; } = [false, false];
        public UnbootableReason[] Reason { get; } = [UnbootableReason.None, UnbootableReason.None];
        public bool[] Corrupt { get; } = [false, false];
        public ulong[] SlotRollback { get; } = [1, 1];
        public ulong StoredRollback { get; set; }
        public int BootCount { get; set; }
        public string Last { get; set; } = "";

        private bool Bootable(int s) => Priority[s] > 0 && Reason[s] == UnbootableReason.None && (Successful[s] || Tries[s] > 0);

        private void GiveUp(int s, UnbootableReason reason)
        {
            Priority[s] = 0;
            Tries[s] = 0;
            Successful[s] = false;
            Reason[s] = reason;
        }

        public void Boot(OsHealth health)
        {
            for (int s = 0; s < 2; s++)
            {
                if (Priority[s] > 0 && Reason[s] == UnbootableReason.None && !Successful[s] && Tries[s] == 0)
                {
                    GiveUp(s, UnbootableReason.TriesExhausted);
                }
                else if (Priority[s] == 0)
                {
                    Tries[s] = 0;
                    Successful[s] = false;
                }
            }

            if (BootCount >= BootLimit)
            {
                Last = "recovery BootLimitExceeded";
                return;
            }

            bool counted = false;
            while (true)
            {
                int chosen = -1;
                if (Bootable(0)) chosen = 0;
                if (Bootable(1) && (chosen < 0 || Priority[1] > Priority[0])) chosen = 1;
                if (chosen < 0)
                {
                    Last = "recovery NoBootableSlot";
                    return;
                }

                // The boot counter counts boot attempts: once per power-on, when a slot is first chosen.
                if (!counted) BootCount++;
                counted = true;
                if (!Successful[chosen]) Tries[chosen]--;
                // The boot partition is verified first: its rollback index against the stored one;
                // a corruption is in system, verified second.
                if (SlotRollback[chosen] < StoredRollback)
                {
                    GiveUp(chosen, UnbootableReason.RollbackIndexTooLow);
                    continue;
                }

                if (Corrupt[chosen])
                {
                    GiveUp(chosen, UnbootableReason.HeaderInvalid);
                    continue;
                }

                Last = "booted " + (chosen == 0 ? "a" : "b");
                bool marks = health.Kind == OsHealthKind.Healthy
                    || (health.Kind == OsHealthKind.CrashAfter && health.CrashAfter >= TimeSpan.FromSeconds(HealthCheckSeconds));
                if (marks)
                {
                    Successful[chosen] = true;
                    Tries[chosen] = 0;
                    BootCount = 0;
                }

                // Rollback indexes rise only once the slot is successful (now or before).
                if (Successful[chosen])
                {
                    StoredRollback = Math.Max(StoredRollback, SlotRollback[chosen]);
                }

                return;
            }
        }

        public void SetActive(int s)
        {
            Priority[s] = 15;
            Tries[s] = MaxTries;
            Successful[s] = false;
            Reason[s] = UnbootableReason.None;
            if (Priority[1 - s] == 15) Priority[1 - s] = 14;
            BootCount = 0;
        }

        public override string ToString() =>
            $"a:{Priority[0]}/{Tries[0]}/{Successful[0]}/{Reason[0]}/{(Corrupt[0] ? "corrupt" : "ok")}/rb{SlotRollback[0]} b:{Priority[1]}/{Tries[1]}/{Successful[1]}/{Reason[1]}/{(Corrupt[1] ? "corrupt" : "ok")}/rb{SlotRollback[1]} count:{BootCount} stored:{StoredRollback} last:{Last}";
    }

    internal sealed class Actual(int maxTries)
    {
        public SimBoard Board { get; } = new(BoardProfile.Ab, new BootLimits(maxTries, BootLimit, HealthCheckSeconds));
        public string Last { get; set; } = "";

        public void Boot(OsHealth health)
        {
            BootResult result = Board.Boot(health);
            Last = result.Outcome == BootOutcome.Booted ? "booted " + result.Slot : "recovery " + result.RecoveryReason;
        }

        public void DamageStaleCopy()
        {
            byte[] c0 = new byte[512], c1 = new byte[512];
            Board.Misc.Read(0, c0);
            Board.Misc.Read(MiscLayout.BootControlCopy1Offset / 512, c1);
            bool v0 = BootControlBlock.TryParse(c0, out BootControlBlock b0);
            bool v1 = BootControlBlock.TryParse(c1, out BootControlBlock b1);
            // The stale copy: invalid, or valid with the lower sequence (copy 1 on a tie, as copy 0 wins ties).
            int stale = !v0 ? 0 : !v1 ? 1 : b0.Sequence > b1.Sequence ? 1 : b1.Sequence > b0.Sequence ? 0 : 1;
            Board.Misc.Write(stale == 0 ? 0 : MiscLayout.BootControlCopy1Offset / 512, new byte[512]);
        }

        /// <summary>The newest valid copy, read without repairing anything.</summary>
        public BootControlBlock Peek()
        {
            byte[] c0 = new byte[512], c1 = new byte[512];
            Board.Misc.Read(0, c0);
            Board.Misc.Read(MiscLayout.BootControlCopy1Offset / 512, c1);
            bool v0 = BootControlBlock.TryParse(c0, out BootControlBlock b0);
            bool v1 = BootControlBlock.TryParse(c1, out BootControlBlock b1);
            return v0 && v1 ? (b1.Sequence > b0.Sequence ? b1 : b0) : v0 ? b0 : v1 ? b1 : throw new InvalidOperationException("both copies invalid");
        }

        public override string ToString()
        {
            BootControlBlock b = Peek();
            return $"a:{b.SlotA.Priority}/{b.SlotA.TriesRemaining}/{b.SlotA.Successful}/{b.SlotA.Unbootable} b:{b.SlotB.Priority}/{b.SlotB.TriesRemaining}/{b.SlotB.Successful}/{b.SlotB.Unbootable} count:{b.BootCount} stored:{Board.Rollback[0]} last:{Last}";
        }
    }

    private static bool Same(Actual actual, Model model)
    {
        BootControlBlock b = actual.Peek();
        for (int s = 0; s < 2; s++)
        {
            SlotState state = b[(Slot)s];
            if (state.Priority != model.Priority[s] || state.TriesRemaining != model.Tries[s]
                || state.Successful != model.Successful[s] || state.Unbootable != model.Reason[s])
            {
                return false;
            }
        }

        var stored = actual.Board.Rollback;
        return b.BootCount == model.BootCount && actual.Last == model.Last
            && stored[0] == model.StoredRollback && stored[1] == model.StoredRollback && stored[2] == model.StoredRollback;
    }

    private static readonly Gen<OsHealth> GenHealth = Gen.OneOf(
        Gen.Const(OsHealth.Healthy), Gen.Const(OsHealth.Hang),
        Gen.Int[0, 10].Select(OsHealth.Crash));

    [Fact]
    public void BootFlowFollowsTheAbModel()
    {
        Gen<(Actual, Model)> initial = Gen.Int[1, 4].Select(tries => (new Actual(tries), new Model(tries)));
        Gen.Int[0, 1].Select(s => s);
        Check.SampleModelBased(initial,
        [
            GenHealth.Operation<Actual, Model>(h => $"boot {h}", (a, h) => a.Boot(h), (m, h) => m.Boot(h)),
            GenHealth.Operation<Actual, Model>(h => $"boot {h}", (a, h) => a.Boot(h), (m, h) => m.Boot(h)),
            Gen.Int[0, 1].Operation<Actual, Model>(s => $"corrupt {s}",
                (a, s) => a.Board.CorruptSlot((Slot)s), (m, s) => m.Corrupt[s] = true),
            Gen.Select(Gen.Int[0, 1], Gen.ULong[0, 4]).Operation<Actual, Model>(x => $"reflash {x.Item1} with rollback {x.Item2} + set-active",
                (a, x) => { a.Board.FlashSlot((Slot)x.Item1, "r" + x.Item2, x.Item2); a.Board.SetActive((Slot)x.Item1); },
                (m, x) => { m.Corrupt[x.Item1] = false; m.SlotRollback[x.Item1] = x.Item2; m.SetActive(x.Item1); }),
            Gen.Int[0, 1].Operation<Actual, Model>(s => $"set-active {s}",
                (a, s) => a.Board.SetActive((Slot)s), (m, s) => m.SetActive(s)),
            Gen.Const(0).Operation<Actual, Model>(_ => "damage stale BCB copy", (a, _) => a.DamageStaleCopy(), (_, _) => { }),
        ],
        equal: Same, iter: 400, threads: 1, printActual: a => a.ToString(), printModel: m => m.ToString());
    }
}
