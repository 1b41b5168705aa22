namespace RecoverySim.Bootloader.Boot;

/// <summary>Kebab-case names of outcomes and reasons, as JSON shows them.</summary>
public static class BootOutcomeNames
{
    /// <summary><c>booted</c>, <c>recovery-required</c>, <c>recovered</c> or <c>bricked</c>.</summary>
    public static string Name(BootOutcome outcome) => outcome switch
    {
        BootOutcome.Booted => "booted",
        BootOutcome.RecoveryRequired => "recovery-required",
        BootOutcome.Recovered => "recovered",
        BootOutcome.Bricked => "bricked",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown outcome"),
    };

    /// <summary>An enum value in kebab-case: <c>RollbackIndexTooLow</c> becomes <c>rollback-index-too-low</c>.</summary>
    public static string Kebab<T>(T value) where T : struct, Enum
    {
        string name = value.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
