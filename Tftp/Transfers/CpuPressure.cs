namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// One reading of the kernel's CPU pressure (PSI, Documentation/accounting/psi.rst): the line
/// <c>some avg10=.. avg60=.. avg300=.. total=..</c> of <c>/proc/pressure/cpu</c>, where
/// <c>total</c> is the time, in microseconds since boot, during which at least one runnable task
/// waited for a CPU, and <c>avg10</c> the share of the last 10 s (percent) that it did.
/// </summary>
/// <param name="WaitingMicroseconds">The cumulative <c>total</c>.</param>
/// <param name="Average10Percent">The <c>avg10</c> share, 0 to 100.</param>
internal readonly record struct CpuPressure(long WaitingMicroseconds, double Average10Percent)
{
    /// <summary>Parses the <c>some</c> line of <c>/proc/pressure/cpu</c>; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CpuPressure pressure)
    {
        pressure = default;
        foreach (Range lineRange in text.Split('\n'))
        {
            ReadOnlySpan<char> line = text[lineRange];
            if (!line.StartsWith("some "))
            {
                continue;
            }

            double? average = null;
            long? total = null;
            foreach (Range fieldRange in line.Split(' '))
            {
                ReadOnlySpan<char> field = line[fieldRange];
                if (field.StartsWith("avg10=") && double.TryParse(field[6..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double a) && a is >= 0 and <= 100)
                {
                    average = a;
                }
                else if (field.StartsWith("total=") && long.TryParse(field[6..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long t))
                {
                    total = t;
                }
            }

            if (average is { } avg && total is { } sum)
            {
                pressure = new CpuPressure(sum, avg);
                return true;
            }

            return false;
        }

        return false;
    }
}
