using RecoverySim.BlockDevice.Logging;

namespace RecoverySim.Lab.Campaigns;

/// <summary>One disk write of a recorded run, placed on the board: what a scenario author picks power-cut points from.</summary>
/// <param name="Index">Its index in the write log (a cut after it is <c>p</c>Index+1).</param>
/// <param name="Entry">The log entry.</param>
/// <param name="Partition">The partition it falls in, or null (GPT, or a flush).</param>
/// <param name="Offset">Its byte offset in that partition.</param>
/// <param name="Step">The step that issued it.</param>
/// <param name="IndexInStep">Its index among that step's entries: what a <c>power-cut</c> step's <c>write</c> counts.</param>
public sealed record RecordedWrite(int Index, WriteLogEntry Entry, string? Partition, long Offset, string Step, int IndexInStep);
