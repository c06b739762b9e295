using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Kademlia.Sqlite.Internal;

/// <summary>
/// Writes record changes to the database on a task of its own, so that no disk wait (a full disk,
/// another process holding the write lock, a slow fsync) ever reaches the node loop. Changes queue
/// up in order; each pass takes everything queued, keeps the last change per row, and commits it as
/// one transaction, deletions first (so that under a full disk, expiry makes room for what follows).
/// A pass that fails is kept and retried every <see cref="RetryDelay"/> until it commits; meanwhile
/// <see cref="Fault"/> says why, and the store refuses new records.
/// </summary>
/// <remarks>
/// The writer owns the connection once the store has loaded: nothing else touches it. A busy
/// database is waited for at most a second per attempt (<see cref="BusyTimeoutSeconds"/>), on this
/// task, never longer than the store's <c>Dispose</c> allows.
/// </remarks>
internal sealed partial class SqliteWriter : IDisposable
{
    /// <summary>Seconds Microsoft.Data.Sqlite retries a busy or locked database per statement; its smallest non-zero value.</summary>
    public const int BusyTimeoutSeconds = 1;

    /// <summary>How long <see cref="Dispose"/> lets queued changes reach the disk before giving them up.</summary>
    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(5);

    /// <summary>Rows the batch keeps room for between passes.</summary>
    private const int BatchCapacityKept = 64;

    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<WriteTarget, WriteOp> _batch = [];
    private readonly CancellationTokenSource _abandon = new();
    private readonly SqliteCommand _upsertValue;
    private readonly SqliteCommand _deleteValue;
    private readonly SqliteCommand _upsertProvider;
    private readonly SqliteCommand _deleteProvider;
    private readonly Task _run;
    private int _pending;
    private int _batchTaken;
    private long _failures;
    private volatile string? _fault;

    public SqliteWriter(SqliteConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        _upsertValue = Command(
            "INSERT OR REPLACE INTO value_record (key, record, source, source_prefix, stored_at, expires_at) VALUES ($key, $record, $source, $source_prefix, $stored_at, $expires_at)",
            "$key", "$record", "$source", "$source_prefix", "$stored_at", "$expires_at");
        _deleteValue = Command("DELETE FROM value_record WHERE key = $key", "$key");
        _upsertProvider = Command(
            "INSERT OR REPLACE INTO provider_record (topic, provider, record, source, source_prefix, stored_at, expires_at) VALUES ($topic, $provider, $record, $source, $source_prefix, $stored_at, $expires_at)",
            "$topic", "$provider", "$record", "$source", "$source_prefix", "$stored_at", "$expires_at");
        _deleteProvider = Command("DELETE FROM provider_record WHERE topic = $topic AND provider = $provider", "$topic", "$provider");
        _run = Task.Run(RunAsync);
    }

    /// <summary>The wait between two attempts of a pass that failed.</summary>
    public static TimeSpan RetryDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Why the last pass failed (SQLite's message), or null when the database takes writes.</summary>
    public string? Fault => _fault;

    /// <summary>Changes queued and not yet committed.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Passes that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Enqueue(WriteOp op)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteRecordStore));
        }
    }

    /// <summary>Writes what is queued (for up to <see cref="FlushLimit"/>), then closes the commands.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_run.Wait(FlushLimit))
        {
            _abandon.Cancel();
            _run.Wait();
        }

        if (Pending > 0)
        {
            LogChangesLost(_logger, Pending, _fault ?? "shutting down");
        }

        _upsertValue.Dispose();
        _deleteValue.Dispose();
        _upsertProvider.Dispose();
        _deleteProvider.Dispose();
        _abandon.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (_batch.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var op))
            {
                _batch[op.Target] = op; // the last change of a row is the one that counts
                _batchTaken++;
            }

            try
            {
                Commit();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _failures);
                if (_fault is null)
                {
                    _fault = e.Message;
                    LogCannotWrite(_logger, e.Message);
                }

                try
                {
                    await Task.Delay(RetryDelay, _abandon.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return; // Dispose gave up waiting: what is queued is lost, and logged there
                }

                continue;
            }

            Interlocked.Add(ref _pending, -_batchTaken);
            _batchTaken = 0;
            _batch.Clear();
            // A burst leaves the batch sized for thousands of rows; that memory belongs to no record
            // and would count against none of the store's quotas.
            _batch.TrimExcess(BatchCapacityKept);
            if (_fault is not null)
            {
                _fault = null;
                LogWritableAgain(_logger);
            }
        }
    }

    private void Commit()
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var op in _batch.Values.Where(o => o.Record is null))
        {
            if (op.Target.IsProvider)
            {
                Run(_deleteProvider, transaction, op.Target.Key.ToArray(), op.Target.Provider.ToArray());
            }
            else
            {
                Run(_deleteValue, transaction, op.Target.Key.ToArray());
            }
        }

        foreach (var op in _batch.Values.Where(o => o.Record is not null))
        {
            if (op.Target.IsProvider)
            {
                Run(_upsertProvider, transaction, op.Target.Key.ToArray(), op.Target.Provider.ToArray(), op.Record!, op.Source.Id.ToArray(), unchecked((long)op.Source.Prefix), op.StoredAtTicks, op.ExpiresAtTicks);
            }
            else
            {
                Run(_upsertValue, transaction, op.Target.Key.ToArray(), op.Record!, op.Source.Id.ToArray(), unchecked((long)op.Source.Prefix), op.StoredAtTicks, op.ExpiresAtTicks);
            }
        }

        transaction.Commit();
    }

    private static void Run(SqliteCommand command, SqliteTransaction transaction, params object[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = BusyTimeoutSeconds;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "The record database cannot be written ({Reason}); refusing new records until it can, and still serving those held")]
    private static partial void LogCannotWrite(ILogger logger, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "The record database takes writes again; accepting new records")]
    private static partial void LogWritableAgain(ILogger logger);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "{Count} record changes never reached the database ({Reason}); their publishers republish them")]
    private static partial void LogChangesLost(ILogger logger, int count, string reason);
}
