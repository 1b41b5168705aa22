namespace RecoverySim.Tftp.Transfers;

/// <summary>Where <see cref="CpuContention"/> reads the machine's CPU pressure from (injected in tests).</summary>
internal interface ICpuPressureSource
{
    /// <summary>The current reading; false when the system does not report it.</summary>
    bool TryRead(out CpuPressure pressure);
}
