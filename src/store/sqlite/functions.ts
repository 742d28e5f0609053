// SQL functions the SQLite thread registers on each connection.
import type SQLite from 'better-sqlite3';

export function registerFunctions(db: SQLite.Database): void {
  void db;
}
