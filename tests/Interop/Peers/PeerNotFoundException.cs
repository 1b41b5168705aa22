namespace RecoverySim.Interop.Tests.Peers;

/// <summary>A real peer program the interop tests need is missing: the message says how to install it.</summary>
public sealed class PeerNotFoundException(string message) : Exception(message);
