namespace RecoverySim.Lab.Campaigns;

/// <summary>A campaign's progress: states done of the total, by kind and by outcome class, and failures so far.</summary>
public sealed record CampaignProgress(int Done, int Total, IReadOnlyDictionary<CrashKind, int> ByKind, IReadOnlyDictionary<OutcomeClass, int> ByClass, int Failures, double StatesPerSecond);
