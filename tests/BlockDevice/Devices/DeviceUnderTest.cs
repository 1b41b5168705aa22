namespace RecoverySim.BlockDevice.Tests.Devices;

/// <summary>A device and the results of the reads done on it, for <c>SampleModelBased</c>.</summary>
public sealed class DeviceUnderTest(IBlockDevice device)
{
    public IBlockDevice Device { get; } = device;

    public List<byte[]> Reads { get; } = [];

    public override string ToString() => Device.GetType().Name;
}
