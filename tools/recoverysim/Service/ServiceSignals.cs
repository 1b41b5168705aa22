using System.Runtime.InteropServices;

namespace RecoverySim.Cli.Service;

/// <summary>
/// The signals a long-running server command handles, one way for <c>serve</c> and
/// <c>update-server</c>: SIGTERM and SIGINT cancel <c>stop</c> (the command then stops gracefully
/// and ends the process itself); SIGHUP calls <c>hangUp</c> (reload).
/// </summary>
internal sealed class ServiceSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    private ServiceSignals(PosixSignalRegistration[] registrations) => _registrations = registrations;

    /// <summary>Registers the handlers until disposed.</summary>
    public static ServiceSignals Register(CancellationTokenSource stop, Action hangUp)
    {
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(hangUp);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // the graceful stop ends the process
            stop.Cancel();
        }

        return new ServiceSignals(
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                hangUp();
            }),
        ]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
