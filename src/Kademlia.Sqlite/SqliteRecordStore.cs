using Kademlia.Identity;
using Kademlia.Sqlite.Internal;
using Kademlia.Records;
using Kademlia.Records.Internal;
using Kademlia.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kademlia.Sqlite;

/// <summary>
/// A durable <see cref="IRecordStore"/>: the rules of <see cref="MemoryRecordStore"/> (run by one,
/// so both stores behave identically), with every change written to a SQLite database by a writer
/// task of its own. Records survive a restart; those that expired meanwhile are purged at open.
/// </summary>
/// <remarks>
/// <para>
/// The working set is also held in memory, so reads never touch the disk; the quotas
/// (<see cref="RecordStoreLimits"/>, 64 MiB by default) bound both. Writes never touch the disk on
/// the caller's thread either (it is the node loop, which must not wait): changes are queued to a
/// writer that commits them in SQLite transactions in WAL mode with <c>synchronous=NORMAL</c>. A
/// power cut may lose the last writes, never corrupt the database, and a record lost that way is
/// republished by its publisher.
/// </para>
/// <para>
/// When the database cannot be written (disk full, another process holding its lock, an I/O error)
/// the store refuses new records with <see cref="StoreError.StoreFull"/> (QUOTA_EXCEEDED on the
/// wire), counts them in <see cref="Health"/>, logs once when writes start failing and once when they
/// work again, and keeps serving what it holds. The writer retries every second; what it had queued
/// is written when the fault clears, and the store takes records again. More than
/// <see cref="MaxPendingWrites"/> changes waiting for a slow disk are refused the same way.
/// </para>
/// <para>Schema (version 2, <c>PRAGMA user_version</c>; <c>PRAGMA application_id</c> 0x4B414452, "KADR"):</para>
/// <code>
/// value_record(key BLOB PRIMARY KEY, record BLOB, source BLOB, source_prefix INTEGER, stored_at INTEGER, expires_at INTEGER)
/// provider_record(topic BLOB, provider BLOB, record BLOB, source BLOB, source_prefix INTEGER, stored_at INTEGER, expires_at INTEGER,
///                 PRIMARY KEY (topic, provider))
/// </code>
/// <para>
/// Both are rowid tables with the primary key as an index beside them. Version 1 made them
/// <c>WITHOUT ROWID</c>, which stores whole rows in index b-tree pages: a row longer than about a
/// quarter page (1,002 bytes of a 4 KiB page) spills onto an overflow page of its own, so a 1 KB
/// value took 4.5 KB of file (issue 12, item 2). In a rowid table it takes about 1.2 times its
/// bytes. A version 1 file is migrated at open (its rows copied, <c>source_prefix</c> left null).
/// </para>
/// <para>
/// <c>source_prefix</c> is the prefix of <see cref="RecordSource"/> (an unsigned 64-bit value stored
/// as its two's-complement signed integer), so the per-prefix quotas hold across a restart; null
/// (a migrated row) reads as <see cref="RecordSource.ForId"/>. Keys, sources and provider IDs are 32-byte node IDs. <c>record</c> is the record encoded as on the
/// wire (docs/PROTOCOL.md, "Records"): for a value, its kind byte then the record as in VALUE; for a
/// provider, the record as in ADD_PROVIDER. Times are .NET UTC ticks (100 ns since 0001-01-01), so
/// they round-trip exactly. A row whose record does not decode or whose key does not match is skipped
/// at open and counted in <see cref="UnreadableRows"/>, and left in the file for inspection.
/// Signatures are not re-verified at open: they were verified before the record was first stored.
/// </para>
/// <para>Not thread-safe: one engine owns one store.</para>
/// </remarks>
public sealed class SqliteRecordStore : IRecordStore, IDisposable
{
    /// <summary>The schema version this build reads and writes.</summary>
    public const int SchemaVersion = 2;

    /// <summary>Changes waiting for the disk beyond which new records are refused (the disk cannot keep up).</summary>
    public const int MaxPendingWrites = 10_000;

    private const long ApplicationId = 0x4B414452;

    /// <summary>The size the WAL file is truncated back to after a checkpoint: 1 MiB.</summary>
    private const long JournalSizeLimit = 1L << 20;

    /// <summary>SQLITE_NOTADB: "file is not a database".</summary>
    private const int SqliteNotADatabase = 26;

    /// <summary>SQLITE_CORRUPT: "database disk image is malformed".</summary>
    private const int SqliteCorrupt = 11;

    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly MemoryRecordStore _rules;
    private SqliteWriter? _writer;
    private long _refused;
    private bool _disposed;

    private SqliteRecordStore(SqliteConnection connection, NodeId self, RecordStoreLimits? limits, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        _rules = new MemoryRecordStore(self, limits, new SqliteRecordJournal(this));
    }

    /// <summary>Rows skipped at open because their record did not decode or did not match its key.</summary>
    public int UnreadableRows { get; private set; }

    /// <inheritdoc/>
    public DateTimeOffset? NextExpiry => _rules.NextExpiry;

    /// <inheritdoc/>
    public RecordStoreStatistics Statistics => _rules.Statistics;

    /// <summary>Whether the database takes writes, and what was refused or is waiting meanwhile.</summary>
    public SqliteStoreHealth Health => new(Writer.Fault, Interlocked.Read(ref _refused), Writer.Failures, Writer.Pending);

    private SqliteWriter Writer => _writer ?? throw new InvalidOperationException("The store is not open.");

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/>, loads its records and purges those
    /// expired at <paramref name="now"/> (and, if <paramref name="limits"/> shrank, the farthest keys).
    /// </summary>
    /// <param name="path">The database file; created if missing.</param>
    /// <param name="self">The node's own ID: eviction keeps the keys closest to it.</param>
    /// <param name="now">The current time.</param>
    /// <param name="limits">The quotas. Defaults to <see cref="RecordStoreLimits.Default"/>.</param>
    /// <param name="logger">Where the changes of <see cref="Health"/> are logged. Defaults to none.</param>
    /// <exception cref="DataFileException">The file is not a record database of this format; it is left as it was.</exception>
    public static SqliteRecordStore Open(string path, NodeId self, DateTimeOffset now, RecordStoreLimits? limits = null, ILogger? logger = null) =>
        Open(path, self, now, limits, logger, configure: null);

    /// <summary>As the public <c>Open</c>, with <paramref name="configure"/> run on the connection first (tests shrink the file limit with it).</summary>
    internal static SqliteRecordStore Open(string path, NodeId self, DateTimeOffset now, RecordStoreLimits? limits, ILogger? logger, Action<SqliteConnection>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw new DataFileException(path, DataFileError.NotAFile, "the record database is a directory.");
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooling would keep the file open after Dispose, and the data directory may be moved or deleted.
            Pooling = false,
            // BEGIN and COMMIT wait for a busy database at most this long (on the writer's task).
            DefaultTimeout = SqliteWriter.BusyTimeoutSeconds,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        SqliteRecordStore? store = null;
        try
        {
            connection.Open();
            PrepareSchema(connection, path);
            configure?.Invoke(connection);
            store = new SqliteRecordStore(connection, self, limits, logger ?? NullLogger.Instance);
            store.Load(now);
            return store;
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            // Damaged pages surface while the rows are read, after the header looked right.
            DisposeAfterFailedOpen(store, connection);
            throw new DataFileException(path, DataFileError.Corrupt, $"the record database is damaged ({e.Message.TrimEnd('.')}).", e);
        }
        catch
        {
            DisposeAfterFailedOpen(store, connection);
            throw;
        }
    }

    /// <summary>Whether <paramref name="e"/> says the file is not a database or is damaged (primary codes 26 and 11, any extended code).</summary>
    private static bool IsDamaged(SqliteException e) => (e.SqliteErrorCode & 0xFF) is SqliteNotADatabase or SqliteCorrupt;

    private static void DisposeAfterFailedOpen(SqliteRecordStore? store, SqliteConnection connection)
    {
        if (store is not null)
        {
            store.Dispose();
        }
        else
        {
            connection.Dispose();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Refused with <see cref="StoreError.StoreFull"/> while the database cannot be written.</remarks>
    public StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null) =>
        CannotWrite() ? StoreError.StoreFull : _rules.Put(record, source, now, expiresAt, expectedSequence);

    /// <inheritdoc/>
    public StoredValue? Get(NodeId key, DateTimeOffset now) => _rules.Get(key, now);

    /// <inheritdoc/>
    /// <remarks>Refused with <see cref="StoreError.StoreFull"/> while the database cannot be written.</remarks>
    public StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt) =>
        CannotWrite() ? StoreError.StoreFull : _rules.AddProvider(record, source, now, expiresAt);

    /// <inheritdoc/>
    public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max) => _rules.GetProviders(topic, now, max);

    /// <inheritdoc/>
    public IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now) => _rules.RemoveExpired(now);

    /// <inheritdoc/>
    public IReadOnlyList<StoredValue> Values(DateTimeOffset now) => _rules.Values(now);

    /// <inheritdoc/>
    public IReadOnlyList<StoredTopic> Topics(DateTimeOffset now) => _rules.Topics(now);

    /// <summary>
    /// Writes what is still queued (waiting a few seconds at most for a database that cannot be
    /// written; what is left then is lost and logged) and closes the database.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer?.Dispose();
        _connection.Dispose();
    }

    /// <summary>Queues a change for the writer (the journal's only way to the database).</summary>
    internal void Enqueue(WriteOp op) => Writer.Enqueue(op);

    private bool CannotWrite()
    {
        if (Writer.Fault is null && Writer.Pending <= MaxPendingWrites)
        {
            return false;
        }

        Interlocked.Increment(ref _refused);
        return true;
    }

    private static void PrepareSchema(SqliteConnection connection, string path)
    {
        long applicationId, version, objects;
        try
        {
            applicationId = Scalar(connection, "PRAGMA application_id");
            version = Scalar(connection, "PRAGMA user_version");
            objects = Scalar(connection, "SELECT count(*) FROM sqlite_master");
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            throw new DataFileException(path, DataFileError.UnknownFormat, "not a SQLite database.", e);
        }

        if (objects == 0 && applicationId == 0 && version == 0)
        {
            Execute(connection, $"""
                PRAGMA journal_mode = WAL;
                BEGIN;
                {CreateTables}
                PRAGMA application_id = {ApplicationId};
                PRAGMA user_version = {SchemaVersion};
                COMMIT;
                """);
        }
        else if (applicationId == ApplicationId && version == 1)
        {
            MigrateFromVersion1(connection);
        }
        else if (applicationId != ApplicationId)
        {
            throw new DataFileException(path, DataFileError.UnknownFormat, "a SQLite database of another application.");
        }
        else if (version != SchemaVersion)
        {
            throw new DataFileException(path, DataFileError.UnsupportedVersion,
                $"record database schema version {version} is not supported (this build uses {SchemaVersion}).");
        }

        // A WAL keeps the size of its largest transaction after checkpoints unless told otherwise;
        // the limit truncates it back, so the file pair stays within the quota plus this much.
        Execute(connection, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = {JournalSizeLimit};");
    }

    /// <summary>The tables of <see cref="SchemaVersion"/>.</summary>
    private const string CreateTables = """
        CREATE TABLE value_record (
            key BLOB PRIMARY KEY NOT NULL,
            record BLOB NOT NULL,
            source BLOB NOT NULL,
            source_prefix INTEGER,
            stored_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE provider_record (
            topic BLOB NOT NULL,
            provider BLOB NOT NULL,
            record BLOB NOT NULL,
            source BLOB NOT NULL,
            source_prefix INTEGER,
            stored_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (topic, provider)
        );
        """;

    /// <summary>
    /// Copies the rows of a version 1 file (<c>WITHOUT ROWID</c> tables, no prefixes) into the tables
    /// of this version in one transaction, then compacts the file.
    /// </summary>
    private static void MigrateFromVersion1(SqliteConnection connection)
    {
        Execute(connection, $"""
            BEGIN IMMEDIATE;
            ALTER TABLE value_record RENAME TO value_record_v1;
            ALTER TABLE provider_record RENAME TO provider_record_v1;
            {CreateTables}
            INSERT INTO value_record (key, record, source, stored_at, expires_at)
                SELECT key, record, source, stored_at, expires_at FROM value_record_v1;
            INSERT INTO provider_record (topic, provider, record, source, stored_at, expires_at)
                SELECT topic, provider, record, source, stored_at, expires_at FROM provider_record_v1;
            DROP TABLE value_record_v1;
            DROP TABLE provider_record_v1;
            PRAGMA user_version = {SchemaVersion};
            COMMIT;
            """);
        Execute(connection, "VACUUM");
    }

    private void Load(DateTimeOffset now)
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT key, record, source, stored_at, expires_at, source_prefix FROM value_record";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = ReadId(reader, 0);
                if (key is null || MessageCodec.TryReadRecord(ReadBlob(reader, 1), out var record) != DecodeError.None
                    || record!.Key != key || ReadId(reader, 2) is not { } source
                    || ReadTime(reader, 3) is not { } storedAt || ReadTime(reader, 4) is not { } expiresAt)
                {
                    UnreadableRows++;
                    continue;
                }

                _rules.Restore(new StoredValue(record, ReadSource(reader, source, 5), storedAt, expiresAt));
            }
        }

        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT topic, provider, record, source, stored_at, expires_at, source_prefix FROM provider_record";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var topic = ReadId(reader, 0);
                var provider = ReadId(reader, 1);
                if (topic is null || provider is null || MessageCodec.TryReadProvider(ReadBlob(reader, 2), out var record) != DecodeError.None
                    || record!.Topic != topic || record.Provider.Id != provider || ReadId(reader, 3) is not { } source
                    || ReadTime(reader, 4) is not { } storedAt || ReadTime(reader, 5) is not { } expiresAt)
                {
                    UnreadableRows++;
                    continue;
                }

                _rules.Restore(new StoredProvider(record, ReadSource(reader, source, 6), storedAt, expiresAt));
            }
        }

        // From here on the writer owns the connection.
        _writer = new SqliteWriter(_connection, _logger);
        _rules.TrimToLimits(now);
    }

    /// <summary>The source <paramref name="id"/> with the prefix in <paramref name="column"/>; a null prefix (a migrated row) derived from the ID.</summary>
    private static RecordSource ReadSource(SqliteDataReader reader, NodeId id, int column) =>
        reader.GetValue(column) is long prefix ? new RecordSource(id, unchecked((ulong)prefix)) : RecordSource.ForId(id);

    private static byte[] ReadBlob(SqliteDataReader reader, int column) => reader.GetValue(column) as byte[] ?? [];

    private static NodeId? ReadId(SqliteDataReader reader, int column) =>
        reader.GetValue(column) is byte[] { Length: NodeId.Size } bytes ? new NodeId(bytes) : null;

    private static DateTimeOffset? ReadTime(SqliteDataReader reader, int column) =>
        reader.GetValue(column) is long ticks && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
