// Loads the compiled-in ICU extension into a database opened through DuckDB's
// C API, as DuckDB's own clients load their statically linked extensions.
#include "duckdb.hpp"
#include "duckdb/main/capi/capi_internal.hpp"
#include "icu_extension.hpp"

#include <cstring>
#include <exception>

extern "C" int duckalog_icu_load(duckdb_database db, char *error, size_t error_len) {
	try {
		auto wrapper = reinterpret_cast<duckdb::DatabaseWrapper *>(db);
		wrapper->database->LoadStaticExtension<duckdb::IcuExtension>();
		return 0;
	} catch (std::exception &e) {
		if (error_len > 0) {
			std::strncpy(error, e.what(), error_len - 1);
			error[error_len - 1] = '\0';
		}
		return 1;
	}
}
