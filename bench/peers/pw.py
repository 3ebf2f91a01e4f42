"""peewee contender (3.14 from Debian), used as its docs say: Model.get_by_id
for lookups, db.atomic() for transactions, insert_many() in chunks for
bulk, prefetch() for relations, .iterator() for large results (with a
server-side cursor, playhouse's ServerSide, on PostgreSQL)."""
import sys

from peewee import (BigIntegerField, CharField, ForeignKeyField, IntegerField, Model,
                    MySQLDatabase, PostgresqlDatabase, SqliteDatabase, TextField, chunked,
                    prefetch)

import common

kind, workload, url, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine, p = common.parse(url)
if engine == "sqlite":
    db = SqliteDatabase(p["path"], pragmas={"journal_mode": "wal", "synchronous": "normal",
                                            "foreign_keys": 1}, timeout=5)
elif engine == "pg":
    db = PostgresqlDatabase(p["db"], user=p["user"], password=p["password"], host=p["host"],
                            port=p["port"])
else:
    db = MySQLDatabase(p["db"], user=p["user"], password=p["password"], host=p["host"],
                       port=p["port"], charset="utf8mb4")


class Base(Model):
    class Meta:
        database = db


class Author(Base):
    id = BigIntegerField(primary_key=True)
    name = CharField(100)
    email = CharField(255)
    bio = TextField(null=True)

    class Meta:
        table_name = "bench_author"


class Scratch(Base):
    id = BigIntegerField(primary_key=True)
    name = CharField(100)
    email = CharField(255)
    bio = TextField(null=True)

    class Meta:
        table_name = "bench_scratch"


class Post(Base):
    id = BigIntegerField(primary_key=True)
    author = ForeignKeyField(Author, backref="posts", column_name="author_id")
    title = CharField(200)
    body = TextField()

    class Meta:
        table_name = "bench_post"


class Comment(Base):
    id = BigIntegerField(primary_key=True)
    post = ForeignKeyField(Post, backref="comments", column_name="post_id")
    body = TextField()

    class Meta:
        table_name = "bench_comment"


class Item(Base):
    id = BigIntegerField(primary_key=True)
    label = CharField(64)
    qty = IntegerField()

    class Meta:
        table_name = "bench_item"


class Peewee:
    NAME = "peewee"

    def warm(self):
        db.connect(reuse_if_open=True)
        Author.get_by_id(1)

    def clear_scratch(self):
        Scratch.delete().execute()

    def insert_one(self, inp):
        with db.atomic():
            for (i, name, email) in inp.rows:
                Scratch.insert(id=i, name=name, email=email, bio=None).execute()
        return inp.n

    def insert_bulk(self, inp):
        with db.atomic():
            for batch in chunked([{"id": i, "name": nm, "email": e, "bio": None}
                                  for (i, nm, e) in inp.rows], 1000):
                Scratch.insert_many(batch).execute()
        return inp.n

    def load(self, inp):
        return sum(common.sum_author(a) for a in list(Author.select().order_by(Author.id)))

    def lookup(self, inp):
        return sum(common.sum_author(Author.get_by_id(i)) for i in inp.ids)

    def lookup_tx(self, inp):
        with db.atomic():
            return self.lookup(inp)

    def filtered(self, inp):
        total = 0
        for name in inp.names:
            q = Author.select().where(Author.name == name).order_by(Author.id).limit(20)
            total += sum(common.sum_author(a) for a in q)
        return total

    def assoc(self, inp):
        total = 0
        authors = Author.select().where(Author.id <= common.ASSOC_AUTHORS).order_by(Author.id)
        for a in prefetch(authors, Post.select().order_by(Post.id),
                          Comment.select().order_by(Comment.id)):
            total += a.id
            for po in a.posts:
                total += po.id + len(po.title)
                for c in po.comments:
                    total += c.id + len(c.body)
        return total

    def request(self, inp):
        total = 0
        ids = inp.ids
        for r in range(inp.requests):
            rows = [Author.get_by_id(ids[r * 20 + k]) for k in range(20)]
            total += sum(common.sum_author(a) for a in rows)
        return total

    def stream(self, inp):
        total = 0
        q = Item.select()
        if engine == "pg":
            from playhouse.postgres_ext import ServerSide
            it_ = ServerSide(q)
        else:
            it_ = q.iterator()
        for it in it_:
            total += it.id + it.qty + len(it.label)
        return total


common.run(Peewee(), workload, n)
