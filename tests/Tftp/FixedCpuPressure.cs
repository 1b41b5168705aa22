using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>A CPU pressure that the test sets: the cumulative waiting time and the 10 s average, and whether the system reports it at all.</summary>
internal sealed class FixedCpuPressure(double average10Percent) : ICpuPressureSource
{
    public long WaitingMicroseconds { get; set; }

    public double Average10Percent { get; set; } = average10Percent;

    public bool Reported { get; set; } = true;

    public int Reads { get; private set; }

    public bool TryRead(out CpuPressure pressure)
    {
        Reads++;
        pressure = new CpuPressure(WaitingMicroseconds, Average10Percent);
        return Reported;
    }
}
