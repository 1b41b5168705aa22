namespace RecoverySim.Lab.Campaigns;

/// <summary>A campaign's progress: states done of the total, by kind and by outcome class, and failures so far.</summary>
public sealed record CampaignProgress(int Done, int Total, IReadOnlyDictionary<CrashKind, int> ByKind, IReadOnlyDictionary<OutcomeClass, int> ByClass, int Failures, double StatesPerSecond)
{
    /// <summary>The crash state just judged (a live view lists the failed ones with their ids as they come); null when the report is not about one state.</summary>
    public CrashOutcome? Outcome { get; init; }
}
