using RecoverySim.Lab.Campaigns;

namespace RecoverySim.Lab.Scenarios;

/// <summary>A campaign's one uninterrupted run of a scenario: its recording, the bench at the start of each step, and how the run ended.</summary>
public sealed record RecordedScenario(BoardRecording Recording, IReadOnlyList<StepSnapshot> Steps, BoardRun Run)
{
    /// <summary>The step during which a cut after <paramref name="prefix"/> disk entries falls: the last that began at or before it.</summary>
    public StepSnapshot StepAt(int prefix)
    {
        StepSnapshot found = Steps[0];
        foreach (StepSnapshot step in Steps)
        {
            if (step.DiskPosition <= prefix)
            {
                found = step;
            }
        }

        return found;
    }
}
