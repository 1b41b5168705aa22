using System.Collections;

namespace RecoverySim.Bootloader.Rpmb;

/// <summary>
/// The rollback-index counters kept in RPMB, one per location (AVB's
/// <c>rollback_index_location</c>, 32 of them). Immutable, compared by value.
/// </summary>
public sealed class RollbackIndexes : IReadOnlyList<ulong>, IEquatable<RollbackIndexes>
{
    /// <summary>Number of locations (AVB_MAX_NUMBER_OF_ROLLBACK_INDEX_LOCATIONS).</summary>
    public const int LocationCount = 32;

    private readonly ulong[] _values;

    private RollbackIndexes(ulong[] values) => _values = values;

    /// <summary>Every counter at 0: a new board.</summary>
    public static RollbackIndexes Zero { get; } = new(new ulong[LocationCount]);

    /// <summary>Counters from <paramref name="values"/>, which must hold exactly <see cref="LocationCount"/> values.</summary>
    public static RollbackIndexes From(ReadOnlySpan<ulong> values)
    {
        if (values.Length != LocationCount)
        {
            throw new ArgumentException($"expected {LocationCount} rollback indexes, got {values.Length}", nameof(values));
        }

        return new RollbackIndexes(values.ToArray());
    }

    /// <inheritdoc/>
    public ulong this[int index] => _values[index];

    /// <inheritdoc/>
    public int Count => LocationCount;

    /// <summary>
    /// These counters with <paramref name="location"/> raised to <paramref name="value"/>; a value
    /// at or below the stored one leaves the counter as it is (counters only go up).
    /// </summary>
    public RollbackIndexes Raise(int location, ulong value)
    {
        CheckLocation(location);
        if (value <= _values[location])
        {
            return this;
        }

        ulong[] copy = (ulong[])_values.Clone();
        copy[location] = value;
        return new RollbackIndexes(copy);
    }

    /// <summary>Whether every counter is at least the one of <paramref name="other"/>.</summary>
    public bool AllAtLeast(RollbackIndexes other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < LocationCount; i++)
        {
            if (_values[i] < other._values[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ <paramref name="location"/> &lt; <see cref="LocationCount"/>.</summary>
    public static void CheckLocation(int location)
    {
        if (location is < 0 or >= LocationCount)
        {
            throw new ArgumentOutOfRangeException(nameof(location), location, $"a rollback index location is 0 to {LocationCount - 1}");
        }
    }

    /// <inheritdoc/>
    public IEnumerator<ulong> GetEnumerator() => ((IEnumerable<ulong>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(RollbackIndexes? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RollbackIndexes);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ulong value in _values)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", _values);
}
