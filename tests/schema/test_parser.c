/*
 * test_parser.c — what valid schemas mean: every type and attribute
 * lands in the right place of the IR, derived names (tables, relation
 * columns, constraint names) follow the rules, and the IR printer
 * round-trips.
 */
#include "helpers.h"

static const corm_field *field(const corm_schema *s, const char *model,
	const char *name)
{
	const corm_model *m = corm_schema_find_model(s, model);
	const corm_field *f;

	assert_non_null(m);
	f = corm_model_find_field(m, name);
	if (!f)
		fail_msg("no field %s.%s", model, name);
	return f;
}

static void test_parser__every_builtin_type_maps_to_its_column_type(
	void **state)
{
	static const struct {
		const char *name;
		corm_coltype type;
	} want[] = {
		{"a", CORM_COL_I16}, {"b", CORM_COL_I32}, {"c", CORM_COL_I64},
		{"d", CORM_COL_F32}, {"e", CORM_COL_F64}, {"f", CORM_COL_BOOL},
		{"g", CORM_COL_STRING}, {"h", CORM_COL_TEXT},
		{"i", CORM_COL_BYTES}, {"j", CORM_COL_DECIMAL},
		{"k", CORM_COL_DATE}, {"l", CORM_COL_TIME},
		{"m", CORM_COL_TIMESTAMP}, {"n", CORM_COL_UUID},
		{"o", CORM_COL_JSON},
	};
	corm_schema *s = th_parse_ok(
		"model T {\n"
		"  id i64 @id\n"
		"  a i16\n b i32\n c i64\n d f32\n e f64\n f bool\n"
		"  g string(12)\n h text\n i bytes\n j decimal(10, 3)\n"
		"  k date\n l time\n m timestamp\n n uuid\n o json\n"
		"}\n");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const corm_field *f = field(s, "T", want[i].name);

		assert_int_equal(f->kind, CORM_FIELD_SCALAR);
		assert_int_equal(f->type, want[i].type);
		assert_string_equal(f->type_name, corm_coltype_name(want[i].type));
		assert_false(f->nullable);
		assert_null(f->enum_type);
		assert_null(f->target);
	}
	assert_int_equal(field(s, "T", "g")->len, 12);
	assert_int_equal(field(s, "T", "j")->precision, 10);
	assert_int_equal(field(s, "T", "j")->scale, 3);
	corm_schema_free(s);
}

static void test_parser__question_mark_makes_a_field_nullable(void **state)
{
	corm_schema *s = th_parse_ok(
		"model T {\n  id i64 @id\n  a text?\n  b string(3)?\n  c text\n}\n");

	(void)state;
	assert_true(field(s, "T", "a")->nullable);
	assert_true(field(s, "T", "b")->nullable);
	assert_int_equal(field(s, "T", "b")->len, 3);
	assert_false(field(s, "T", "c")->nullable);
	corm_schema_free(s);
}

static void test_parser__table_names_are_snake_case_unless_mapped(
	void **state)
{
	corm_schema *s = th_parse_ok(
		"model Author { id i64 @id }\n"
		"model PostTag { id i64 @id }\n"
		"model HTTPRequest { id i64 @id }\n"
		"model UserV2 { id i64 @id }\n"
		"model Post {\n  id i64 @id\n  @@map(\"posts\")\n}\n");

	(void)state;
	assert_string_equal(corm_schema_find_model(s, "Author")->table,
		"author");
	assert_string_equal(corm_schema_find_model(s, "PostTag")->table,
		"post_tag");
	assert_string_equal(corm_schema_find_model(s, "HTTPRequest")->table,
		"http_request");
	assert_string_equal(corm_schema_find_model(s, "UserV2")->table,
		"user_v2");
	assert_false(corm_schema_find_model(s, "Author")->table_mapped);
	assert_string_equal(corm_schema_find_model(s, "Post")->table, "posts");
	assert_true(corm_schema_find_model(s, "Post")->table_mapped);
	assert_string_equal(corm_schema_find_model(s, "Post")->snake, "post");
	assert_string_equal(corm_schema_find_model(s, "PostTag")->snake,
		"post_tag");
	corm_schema_free(s);
}

static void test_parser__snake_case_splits_words(void **state)
{
	static const char *const cases[][2] = {
		{"Author", "author"}, {"PostStatus", "post_status"},
		{"HTTPRequest", "http_request"}, {"OAuthToken", "o_auth_token"},
		{"userId", "user_id"}, {"already_snake", "already_snake"},
		{"ABC", "abc"}, {"Item2Tag", "item2_tag"}, {"X", "x"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = corm_snake_case(cases[i][0]);

		assert_non_null(got);
		assert_string_equal(got, cases[i][1]);
		corm_free(got);
	}
}

static void test_parser__map_sets_the_column_name(void **state)
{
	corm_schema *s = th_parse_ok(
		"model T {\n  id i64 @id @map(\"T_ID\")\n  name text @map(\"full name\")\n"
		"  other text\n}\n");
	const corm_field *id = field(s, "T", "id");

	(void)state;
	assert_string_equal(id->column, "T_ID");
	assert_true(id->column_mapped);
	assert_string_equal(field(s, "T", "name")->column, "full name");
	assert_string_equal(field(s, "T", "other")->column, "other");
	assert_false(field(s, "T", "other")->column_mapped);
	/* Constraint names use columns. */
	assert_string_equal(corm_schema_find_model(s, "T")->pk.name, "t_pkey");
	corm_schema_free(s);
}

static void test_parser__relation_is_a_field_id_column_typed_like_the_key(
	void **state)
{
	corm_schema *s = th_parse_ok(
		"model Author { id i32 @id }\n"
		"model Tag { code string(16) @id }\n"
		"model Doc { key uuid @id }\n"
		"model Post {\n"
		"  id i64 @id @auto\n"
		"  author Author @on_delete(cascade)\n"
		"  tag Tag?\n"
		"  doc Doc @map(\"document\")\n"
		"}\n");
	const corm_field *a = field(s, "Post", "author");
	const corm_field *t = field(s, "Post", "tag");
	const corm_field *d = field(s, "Post", "doc");
	const corm_model *post = corm_schema_find_model(s, "Post");

	(void)state;
	assert_int_equal(a->kind, CORM_FIELD_RELATION);
	assert_string_equal(a->column, "author_id");
	assert_int_equal(a->type, CORM_COL_I32);
	assert_ptr_equal(a->target, corm_schema_find_model(s, "Author"));
	assert_ptr_equal(a->target_field, field(s, "Author", "id"));
	assert_string_equal(a->type_name, "Author");
	assert_int_equal(a->on_delete, CORM_ON_DELETE_CASCADE);

	assert_string_equal(t->column, "tag_id");
	assert_int_equal(t->type, CORM_COL_STRING);
	assert_int_equal(t->len, 16);
	assert_true(t->nullable);
	assert_int_equal(t->on_delete, CORM_ON_DELETE_NO_ACTION);

	assert_string_equal(d->column, "document");
	assert_int_equal(d->type, CORM_COL_UUID);

	assert_int_equal(post->nfks, 3);
	assert_ptr_equal(post->fks[0].field, a);
	assert_string_equal(post->fks[0].name, "post_author_id_fkey");
	assert_string_equal(post->fks[0].target->table, "author");
	assert_string_equal(post->fks[0].target_field->column, "id");
	assert_int_equal(post->fks[0].on_delete, CORM_ON_DELETE_CASCADE);
	assert_ptr_equal(post->fks[2].field, d);
	assert_string_equal(post->fks[2].name, "post_document_fkey");
	corm_schema_free(s);
}

static void test_parser__relation_follows_a_key_that_is_itself_a_relation(
	void **state)
{
	/* Profile is keyed by its user; Badge points at a Profile. */
	corm_schema *s = th_parse_ok(
		"model Badge { id i64 @id\n profile Profile }\n"
		"model Profile { user User @id }\n"
		"model User { id i16 @id @auto }\n");
	const corm_field *p = field(s, "Badge", "profile");

	(void)state;
	assert_int_equal(p->type, CORM_COL_I16);
	assert_string_equal(p->column, "profile_id");
	assert_ptr_equal(p->target_field, field(s, "Profile", "user"));
	assert_string_equal(p->target_field->column, "user_id");
	corm_schema_free(s);
}

static void test_parser__self_relation_and_every_on_delete_action(
	void **state)
{
	corm_schema *s = th_parse_ok(
		"model Node {\n"
		"  id i64 @id\n"
		"  parent Node? @on_delete(set_null)\n"
		"  a Node @on_delete(restrict)\n"
		"  b Node @on_delete(no_action)\n"
		"  c Node @on_delete(cascade)\n"
		"}\n");

	(void)state;
	assert_int_equal(field(s, "Node", "parent")->on_delete,
		CORM_ON_DELETE_SET_NULL);
	assert_int_equal(field(s, "Node", "a")->on_delete,
		CORM_ON_DELETE_RESTRICT);
	assert_int_equal(field(s, "Node", "b")->on_delete,
		CORM_ON_DELETE_NO_ACTION);
	assert_int_equal(field(s, "Node", "c")->on_delete,
		CORM_ON_DELETE_CASCADE);
	assert_int_equal(field(s, "Node", "parent")->type, CORM_COL_I64);
	corm_schema_free(s);
}

static void test_parser__composite_key_may_hold_relations(void **state)
{
	corm_schema *s = th_parse_ok(
		"model Post { id i64 @id }\nmodel Tag { id i64 @id }\n"
		"model PostTag {\n  post Post @on_delete(cascade)\n  tag Tag\n"
		"  @@id([post, tag])\n}\n");
	const corm_model *m = corm_schema_find_model(s, "PostTag");

	(void)state;
	assert_int_equal(m->pk.nfields, 2);
	assert_true(m->pk_from_model);
	assert_string_equal(m->fields[m->pk.fields[0]].column, "post_id");
	assert_string_equal(m->fields[m->pk.fields[1]].column, "tag_id");
	assert_string_equal(m->pk.name, "post_tag_pkey");
	assert_null(corm_model_key_field(m));
	assert_false(m->fields[0].is_id); /* @@id does not set is_id */
	assert_int_equal(m->nfks, 2);
	corm_schema_free(s);
}

static void test_parser__field_attributes(void **state)
{
	corm_schema *s = th_parse_ok(
		"model T {\n"
		"  id i64 @id @auto\n"
		"  email string(255) @unique\n"
		"  name string(50) @index\n"
		"  title text @renamed_from(heading)\n"
		"  @@renamed_from(Thing)\n"
		"}\n");
	const corm_model *m = corm_schema_find_model(s, "T");
	const corm_field *id = field(s, "T", "id");

	(void)state;
	assert_true(id->is_id);
	assert_true(id->is_auto);
	assert_ptr_equal(corm_model_key_field(m), id);
	assert_false(m->pk_from_model);
	assert_true(field(s, "T", "email")->is_unique);
	assert_true(field(s, "T", "name")->is_index);
	assert_string_equal(field(s, "T", "title")->renamed_from, "heading");
	assert_null(field(s, "T", "name")->renamed_from);
	assert_string_equal(m->renamed_from, "Thing");
	assert_int_equal(m->nuniques, 1);
	assert_true(m->uniques[0].from_field);
	assert_string_equal(m->uniques[0].name, "t_email_key");
	assert_int_equal(m->nindexes, 1);
	assert_string_equal(m->indexes[0].name, "t_name_idx");
	corm_schema_free(s);
}

static void test_parser__model_unique_and_index_lists_keep_their_order(
	void **state)
{
	corm_schema *s = th_parse_ok(
		"model A { id i64 @id }\n"
		"model T {\n"
		"  id i64 @id\n  a string(50) @unique\n  b A\n  c string(50) @index\n"
		"  @@unique([b, a])\n  @@index([c, b])\n  @@index([a])\n"
		"}\n");
	const corm_model *m = corm_schema_find_model(s, "T");

	(void)state;
	assert_int_equal(m->nuniques, 2);
	assert_true(m->uniques[0].from_field);
	assert_false(m->uniques[1].from_field);
	assert_int_equal(m->uniques[1].nfields, 2);
	assert_string_equal(m->fields[m->uniques[1].fields[0]].name, "b");
	assert_string_equal(m->fields[m->uniques[1].fields[1]].name, "a");
	assert_string_equal(m->uniques[1].name, "t_b_id_a_key");
	assert_int_equal(m->nindexes, 3);
	assert_string_equal(m->indexes[1].name, "t_c_b_id_idx");
	assert_string_equal(m->indexes[2].name, "t_a_idx");
	corm_schema_free(s);
}

static void test_parser__defaults_of_every_kind(void **state)
{
	corm_schema *s = th_parse_ok(
		"enum Status { draft live }\n"
		"model T {\n"
		"  id i64 @id\n"
		"  a i16 @default(-32768)\n"
		"  b i64 @default(9223372036854775807)\n"
		"  c f64 @default(0)\n"
		"  d f32 @default(1.5e3)\n"
		"  e decimal(6, 2) @default(1234.50)\n"
		"  f bool @default(false)\n"
		"  g string(5) @default(\"hello\")\n"
		"  h text @default(\"say \\\"hi\\\"\\n\")\n"
		"  i Status @default(live)\n"
		"  j timestamp @default(now)\n"
		"  k date @default(\"2024-02-29\")\n"
		"  l time @default(now)\n"
		"  m uuid @default(\"123e4567-e89b-12d3-a456-426614174000\")\n"
		"  n json @default(\"{}\")\n"
		"  o timestamp @default(\"2024-01-02T03:04:05.123Z\")\n"
		"  p text\n"
		"}\n");

	(void)state;
	assert_int_equal(field(s, "T", "a")->def.kind, CORM_DEFAULT_INT);
	assert_true(field(s, "T", "a")->def.i == -32768);
	assert_true(field(s, "T", "b")->def.i == INT64_MAX);
	assert_int_equal(field(s, "T", "c")->def.kind, CORM_DEFAULT_INT);
	assert_true(field(s, "T", "c")->def.f == 0.0);
	assert_int_equal(field(s, "T", "d")->def.kind, CORM_DEFAULT_FLOAT);
	assert_true(field(s, "T", "d")->def.f == 1500.0);
	assert_string_equal(field(s, "T", "d")->def.text, "1.5e3");
	assert_int_equal(field(s, "T", "e")->def.kind, CORM_DEFAULT_FLOAT);
	assert_string_equal(field(s, "T", "e")->def.text, "1234.50");
	assert_int_equal(field(s, "T", "f")->def.kind, CORM_DEFAULT_BOOL);
	assert_false(field(s, "T", "f")->def.b);
	assert_int_equal(field(s, "T", "g")->def.kind, CORM_DEFAULT_STRING);
	assert_int_equal(field(s, "T", "h")->def.kind, CORM_DEFAULT_STRING);
	assert_string_equal(field(s, "T", "h")->def.text, "say \"hi\"\n");
	assert_int_equal(field(s, "T", "h")->def.text_len, 9);
	assert_int_equal(field(s, "T", "i")->def.kind, CORM_DEFAULT_ENUM);
	assert_string_equal(field(s, "T", "i")->def.text, "live");
	assert_int_equal(field(s, "T", "i")->def.member, 1);
	assert_int_equal(field(s, "T", "j")->def.kind, CORM_DEFAULT_NOW);
	assert_int_equal(field(s, "T", "k")->def.kind, CORM_DEFAULT_STRING);
	assert_int_equal(field(s, "T", "l")->def.kind, CORM_DEFAULT_NOW);
	assert_int_equal(field(s, "T", "m")->def.kind, CORM_DEFAULT_STRING);
	assert_int_equal(field(s, "T", "n")->def.kind, CORM_DEFAULT_STRING);
	assert_int_equal(field(s, "T", "o")->def.kind, CORM_DEFAULT_STRING);
	assert_int_equal(field(s, "T", "p")->def.kind, CORM_DEFAULT_NONE);
	corm_schema_free(s);
}

static void test_parser__string_default_counts_characters_not_bytes(
	void **state)
{
	/* Five characters, six bytes: fits string(5). */
	corm_schema *s = th_parse_ok(
		"model T {\n  id i64 @id\n  g string(5) @default(\"h\xc3\xa9llo\")\n}\n");

	(void)state;
	assert_int_equal(field(s, "T", "g")->def.text_len, 6);
	corm_schema_free(s);
}

static void test_parser__enum_fields_are_stored_as_member_names(
	void **state)
{
	corm_schema *s = th_parse_ok(
		"enum PostStatus { draft published archived }\n"
		"model T {\n  id i64 @id\n  st PostStatus?\n}\n");
	const corm_enum *e = corm_schema_find_enum(s, "PostStatus");
	const corm_field *f = field(s, "T", "st");

	(void)state;
	assert_non_null(e);
	assert_int_equal(e->nmembers, 3);
	assert_string_equal(e->members[2].name, "archived");
	assert_string_equal(e->snake, "post_status");
	assert_int_equal(f->kind, CORM_FIELD_ENUM);
	assert_ptr_equal(f->enum_type, e);
	assert_int_equal(f->type, CORM_COL_STRING);
	assert_int_equal(f->len, CORM_ENUM_COLUMN_LEN);
	assert_true(f->nullable);
	corm_schema_free(s);
}

static void test_parser__sql_and_c_reserved_words_are_valid_names(void **state)
{
	corm_schema *s = th_parse_ok(
		"model user {\n  id i64 @id\n  order i64\n  group text\n"
		"  select text\n  from text\n  table text\n}\n"
		"model Order {\n  id i64 @id\n  user user\n}\n"
		"model Group {\n  id i64 @id\n}\n"
		/* C keywords too: the emitter renames what C cannot take. */
		"model struct {\n  id i64 @id\n  default i64\n  int text\n}\n");

	(void)state;
	assert_string_equal(corm_schema_find_model(s, "user")->table, "user");
	assert_string_equal(corm_schema_find_model(s, "Order")->table, "order");
	assert_string_equal(corm_schema_find_model(s, "Group")->table, "group");
	assert_string_equal(field(s, "Order", "user")->column, "user_id");
	assert_string_equal(field(s, "user", "select")->column, "select");
	assert_string_equal(field(s, "struct", "default")->column, "default");
	corm_schema_free(s);
}

static void test_parser__doc_comments_attach_to_what_follows(void **state)
{
	corm_schema *s = th_parse_ok(
		"// file header, not a doc comment\n"
		"\n"
		"// An author of posts.\n"
		"// Second line.\n"
		"model Author {\n"
		"    /** The key.\n"
		"     *  Generated. */\n"
		"    id i64 @id // trailing\n"
		"\n"
		"    // detached\n"
		"\n"
		"    name text\n"
		"}\n"
		"enum E {\n  // first\n  a\n  b // second\n}\n");
	const corm_model *m = corm_schema_find_model(s, "Author");
	const corm_field *id = field(s, "Author", "id");
	const corm_enum *e = corm_schema_find_enum(s, "E");

	(void)state;
	assert_int_equal(m->doc.nlines, 2);
	assert_string_equal(m->doc.lines[0], "An author of posts.");
	assert_string_equal(m->doc.lines[1], "Second line.");
	assert_int_equal(id->doc.nlines, 3);
	assert_string_equal(id->doc.lines[0], "The key.");
	assert_string_equal(id->doc.lines[1], "Generated.");
	assert_string_equal(id->doc.lines[2], "trailing");
	assert_int_equal(field(s, "Author", "name")->doc.nlines, 0);
	assert_int_equal(e->members[0].doc.nlines, 1);
	assert_string_equal(e->members[0].doc.lines[0], "first");
	assert_string_equal(e->members[1].doc.lines[0], "second");
	corm_schema_free(s);
}

static void test_parser__constraint_names_fit_every_engine(void **state)
{
	corm_schema *s = th_parse_ok(
		"model AVeryLongModelNameForTesting {\n"
		"  id i64 @id\n"
		"  a_rather_long_column_name_number_one string(9)\n"
		"  a_rather_long_column_name_number_two string(9)\n"
		"  @@index([a_rather_long_column_name_number_one, "
		"a_rather_long_column_name_number_two])\n"
		"  @@unique([a_rather_long_column_name_number_two, "
		"a_rather_long_column_name_number_one])\n"
		"}\n");
	const corm_model *m = corm_schema_find_model(s, "AVeryLongModelNameForTesting");
	size_t limit = 0, i;

	(void)state;
	for (i = 0; i < 3; i++)
		if (corm_dialects[i]->max_ident_len > 0 &&
			(limit == 0 || (size_t)corm_dialects[i]->max_ident_len < limit))
			limit = (size_t)corm_dialects[i]->max_ident_len;
	assert_true(limit > 0);
	assert_true(strlen(m->indexes[0].name) <= limit);
	assert_true(strlen(m->uniques[0].name) <= limit);
	assert_string_not_equal(m->indexes[0].name, m->uniques[0].name);
	/* Still readable: the table's name leads, the kind ends. */
	assert_memory_equal(m->indexes[0].name, "a_very_long_model_name", 22);
	assert_string_equal(m->indexes[0].name + strlen(m->indexes[0].name) - 4,
		"_idx");
	assert_string_equal(m->uniques[0].name + strlen(m->uniques[0].name) - 4,
		"_key");
	corm_schema_free(s);
}

/* FNV-1a, written out again: the test's own account of the rule. */
static uint32_t test_fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The one constraint-name rule (schema/constraint_name.c), used by the
 * IR and by migrate's CHECK names: short names stay, long ones keep a
 * prefix cut at a character boundary and end in _<hash>_<suffix>. */
static void test_parser__constraint_name_rule(void **state)
{
	size_t limit = corm_ident_limit(), keep;
	corm_buf b = CORM_BUF_INIT;
	char full[256], want[256];
	int i;

	(void)state;
	assert_int_equal(limit, 63); /* PostgreSQL's, the shortest */
	corm_buf_puts(&b, "author_email_key");
	corm_constraint_name_fit(&b, "key");
	assert_string_equal(corm_buf_cstr(&b), "author_email_key");
	corm_buf_free(&b);

	for (i = 0; i < 70; i++)
		full[i] = (char)('a' + i % 26);
	memcpy(full + 70, "_check", 7);
	corm_buf_puts(&b, full);
	corm_constraint_name_fit(&b, "check");
	keep = limit - 10 - strlen("check");
	snprintf(want, sizeof(want), "%.*s_%08x_check", (int)keep, full,
		(unsigned)test_fnv1a(full, strlen(full)));
	assert_string_equal(corm_buf_cstr(&b), want);
	assert_int_equal(b.len, limit);
	corm_buf_free(&b);

	/* "é" (2 bytes) straddles the cut: the whole character goes. */
	keep = limit - 10 - strlen("key");
	memset(full, 'x', sizeof(full));
	full[keep - 1] = '\xc3';
	full[keep] = '\xa9';
	memcpy(full + 80, "_key", 5);
	corm_buf_puts(&b, full);
	corm_constraint_name_fit(&b, "key");
	snprintf(want, sizeof(want), "%.*s_%08x_key", (int)(keep - 1), full,
		(unsigned)test_fnv1a(full, strlen(full)));
	assert_string_equal(corm_buf_cstr(&b), want);
	corm_buf_free(&b);
}

static void test_parser__empty_and_comment_only_schemas_are_valid(
	void **state)
{
	static const char *const srcs[] = {"", "\n\n", "// nothing\n",
		"/* a */ /* b */", "\xef\xbb\xbf"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		corm_schema *s = th_parse_ok(srcs[i]);

		assert_int_equal(s->nmodels, 0);
		assert_int_equal(s->nenums, 0);
		corm_schema_free(s);
	}
}

static void test_parser__warnings_leave_the_schema_valid(void **state)
{
	const char *src = "model T {\n  id i64 @id @unique\n}\n";
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;

	(void)state;
	assert_int_equal(corm_schema_parse(&s, &d, src, strlen(src)), CORM_OK);
	assert_non_null(s);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 1);
	assert_int_equal(d.items[0].level, CORM_DIAG_WARNING);
	assert_int_equal(d.items[0].loc.line, 2);
	assert_int_equal(d.items[0].loc.col, 14);
	corm_diags_free(&d);
	corm_schema_free(s);
}

static void test_parser__invalid_schema_gives_no_ir(void **state)
{
	const char *src = "model T {\n  id strng @id\n}\n";
	corm_schema *s = (corm_schema *)1;
	corm_diags d = CORM_DIAGS_INIT;

	(void)state;
	assert_int_equal(corm_schema_parse(&s, &d, src, strlen(src)),
		CORM_EINVAL);
	assert_null(s);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.items[0].loc.line, 2);
	assert_int_equal(d.items[0].loc.col, 6);
	assert_int_equal(d.items[0].len, 5);
	assert_string_equal(d.items[0].msg,
		"unknown type 'strng' (did you mean 'string'?)");
	corm_diags_free(&d);
	/* Diagnostics are optional. */
	assert_int_equal(corm_schema_parse(&s, NULL, src, strlen(src)),
		CORM_EINVAL);
}

/* Every schema in tests/schema/schemas: print the IR as DSL, parse it
 * again, and get the same IR. */
static void test_parser__written_ir_parses_back_to_the_same_ir(
	void **state)
{
	static const char *const names[] = {"blog", "comments", "all_types",
		"messy", "relations"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512], *src, *d1, *d2;
		corm_schema *s = NULL, *s2 = NULL;
		corm_buf b = CORM_BUF_INIT;
		size_t len;

		snprintf(path, sizeof(path), "%s/schemas/%s.corm", CG_TEST_DIR,
			names[i]);
		src = th_read(path, &len);
		assert_non_null(src);
		assert_int_equal(corm_schema_parse(&s, NULL, src, len), CORM_OK);
		assert_int_equal(corm_schema_write(&b, s), CORM_OK);
		if (corm_schema_parse(&s2, NULL, b.ptr, b.len) != CORM_OK)
			fail_msg("%s: written IR does not parse:\n%s", names[i], b.ptr);
		d1 = th_dump(s);
		d2 = th_dump(s2);
		if (strcmp(d1, d2) != 0)
			fail_msg("%s: IR changed through corm_schema_write:\n%s\n---\n%s",
				names[i], d1, d2);
		free(d1);
		free(d2);
		corm_buf_free(&b);
		corm_schema_free(s);
		corm_schema_free(s2);
		free(src);
	}
}

/* The IR of blog.corm, fact by fact: a reviewed golden file. */
static void test_parser__blog_ir_matches_its_golden_dump(void **state)
{
	char *src, *d;
	size_t len;

	(void)state;
	src = th_read(CG_TEST_DIR "/schemas/blog.corm", &len);
	assert_non_null(src);
	d = th_dump_src(src, len);
	assert_non_null(d);
	th_golden(CG_TEST_DIR "/schemas/blog.ir", d);
	free(d);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_parser__every_builtin_type_maps_to_its_column_type),
		cmocka_unit_test(test_parser__question_mark_makes_a_field_nullable),
		cmocka_unit_test(
			test_parser__table_names_are_snake_case_unless_mapped),
		cmocka_unit_test(test_parser__snake_case_splits_words),
		cmocka_unit_test(test_parser__map_sets_the_column_name),
		cmocka_unit_test(
			test_parser__relation_is_a_field_id_column_typed_like_the_key),
		cmocka_unit_test(
			test_parser__relation_follows_a_key_that_is_itself_a_relation),
		cmocka_unit_test(
			test_parser__self_relation_and_every_on_delete_action),
		cmocka_unit_test(test_parser__composite_key_may_hold_relations),
		cmocka_unit_test(test_parser__field_attributes),
		cmocka_unit_test(
			test_parser__model_unique_and_index_lists_keep_their_order),
		cmocka_unit_test(test_parser__defaults_of_every_kind),
		cmocka_unit_test(
			test_parser__string_default_counts_characters_not_bytes),
		cmocka_unit_test(
			test_parser__enum_fields_are_stored_as_member_names),
		cmocka_unit_test(test_parser__sql_and_c_reserved_words_are_valid_names),
		cmocka_unit_test(test_parser__doc_comments_attach_to_what_follows),
		cmocka_unit_test(test_parser__constraint_names_fit_every_engine),
		cmocka_unit_test(test_parser__constraint_name_rule),
		cmocka_unit_test(
			test_parser__empty_and_comment_only_schemas_are_valid),
		cmocka_unit_test(test_parser__warnings_leave_the_schema_valid),
		cmocka_unit_test(test_parser__invalid_schema_gives_no_ir),
		cmocka_unit_test(
			test_parser__written_ir_parses_back_to_the_same_ir),
		cmocka_unit_test(test_parser__blog_ir_matches_its_golden_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
