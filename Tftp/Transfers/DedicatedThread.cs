namespace RecoverySim.Tftp.Transfers;

/// <summary>
/// Runs a transfer on a thread of its own. With a blocking <see cref="SocketTftpChannel"/>
/// and synchronous file I/O every await completes at once, so the transfer never leaves this
/// thread: no thread-pool hop per packet, and no pool thread held by a blocked receive.
/// </summary>
internal static class DedicatedThread
{
    public static Task<T> Run<T>(string name, Func<Task<T>> body)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(body().GetAwaiter().GetResult());
            }
            catch (OperationCanceledException e)
            {
                completion.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                // Handed to the awaiting caller, who sees it as if the transfer ran inline.
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return completion.Task;
    }
}
