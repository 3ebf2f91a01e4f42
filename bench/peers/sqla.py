"""SQLAlchemy 1.4 contenders, ORM and Core, written the way its docs
recommend (2.0-style select(), Session per unit of work, selectinload for
relations, yield_per / stream_results for large results)."""
import sys

from sqlalchemy import (BigInteger, Column, ForeignKey, Integer, String, Text,
                        create_engine, delete, event, insert, select, bindparam)
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import Session, declarative_base, relationship, selectinload

import common

Base = declarative_base()


class Author(Base):
    __tablename__ = "bench_author"
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    name = Column(String(100), nullable=False)
    email = Column(String(255), nullable=False)
    bio = Column(Text)
    posts = relationship("Post", back_populates="author", order_by="Post.id")


class Scratch(Base):
    __tablename__ = "bench_scratch"
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    name = Column(String(100), nullable=False)
    email = Column(String(255), nullable=False)
    bio = Column(Text)


class Post(Base):
    __tablename__ = "bench_post"
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    author_id = Column(BigInteger, ForeignKey("bench_author.id"), nullable=False)
    title = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    author = relationship("Author", back_populates="posts")
    comments = relationship("Comment", back_populates="post", order_by="Comment.id")


class Comment(Base):
    __tablename__ = "bench_comment"
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    post_id = Column(BigInteger, ForeignKey("bench_post.id"), nullable=False)
    body = Column(Text, nullable=False)
    post = relationship("Post", back_populates="comments")


class Item(Base):
    __tablename__ = "bench_item"
    id = Column(BigInteger, primary_key=True, autoincrement=False)
    label = Column(String(64), nullable=False)
    qty = Column(Integer, nullable=False)


def make_engine(url):
    kind, p = common.parse(url)
    if kind == "sqlite":
        # A pooled connection, SQLAlchemy 2.0's default for files (1.4
        # would open a new connection per Session with NullPool).
        eng = create_engine("sqlite:///" + p["path"], future=True,
                            poolclass=QueuePool, connect_args={"timeout": 5})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _rec):
            c = dbapi_conn.cursor()
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA foreign_keys=ON")
            c.close()
        return eng
    drv = "postgresql+psycopg2" if kind == "pg" else "mysql+mysqldb"
    q = "" if kind == "pg" else "?charset=utf8mb4"
    return create_engine("%s://%s:%s@%s:%d/%s%s" % (drv, p["user"], p["password"], p["host"],
                                                 p["port"], p["db"], q), future=True)


A = Author.__table__
S = Scratch.__table__
I = Item.__table__


class Orm:
    NAME = "sqlalchemy-orm"

    def __init__(self, url):
        self.engine = make_engine(url)

    def warm(self):
        with Session(self.engine) as s:
            s.get(Author, 1)

    def clear_scratch(self):
        with self.engine.begin() as c:
            c.execute(delete(S))

    def insert_one(self, inp):
        with Session(self.engine) as s, s.begin():
            for (i, name, email) in inp.rows:
                s.add(Scratch(id=i, name=name, email=email, bio=None))
                s.flush()
        return inp.n

    def insert_bulk(self, inp):
        with Session(self.engine) as s, s.begin():
            s.add_all([Scratch(id=i, name=name, email=email, bio=None)
                       for (i, name, email) in inp.rows])
        return inp.n

    def load(self, inp):
        with Session(self.engine) as s:
            rows = s.execute(select(Author).order_by(Author.id)).scalars().all()
            return sum(common.sum_author(a) for a in rows)

    def lookup(self, inp):
        total = 0
        for i in inp.ids:
            with Session(self.engine) as s:
                total += common.sum_author(s.get(Author, i))
        return total

    def lookup_tx(self, inp):
        total = 0
        with Session(self.engine) as s, s.begin():
            for i in inp.ids:
                total += common.sum_author(
                    s.execute(select(Author).where(Author.id == i)).scalar_one())
                s.expunge_all()   # no identity-map hits: every lookup reads its row
        return total

    def filtered(self, inp):
        total = 0
        with Session(self.engine) as s:
            for name in inp.names:
                rows = s.execute(select(Author).where(Author.name == name)
                                 .order_by(Author.id).limit(20)).scalars().all()
                total += sum(common.sum_author(a) for a in rows)
                s.expunge_all()
        return total

    def assoc(self, inp):
        total = 0
        with Session(self.engine) as s:
            authors = s.execute(select(Author).where(Author.id <= common.ASSOC_AUTHORS)
                                .order_by(Author.id)
                                .options(selectinload(Author.posts)
                                         .selectinload(Post.comments))).scalars().all()
            for a in authors:
                total += a.id
                for p in a.posts:
                    total += p.id + len(p.title)
                    for c in p.comments:
                        total += c.id + len(c.body)
        return total

    def request(self, inp):
        total = 0
        ids = inp.ids
        for r in range(inp.requests):
            with Session(self.engine) as s:
                rows = [s.get(Author, ids[r * 20 + k]) for k in range(20)]
                total += sum(common.sum_author(a) for a in rows)
        return total

    def stream(self, inp):
        total = 0
        with Session(self.engine) as s:
            for it in s.execute(select(Item).execution_options(yield_per=1000)).scalars():
                total += it.id + it.qty + len(it.label)
        return total


class Core(Orm):
    NAME = "sqlalchemy-core"

    def warm(self):
        with self.engine.connect() as c:
            c.execute(select(A).where(A.c.id == 1)).one()

    def insert_one(self, inp):
        stmt = insert(S)
        with self.engine.begin() as c:
            for (i, name, email) in inp.rows:
                c.execute(stmt, {"id": i, "name": name, "email": email, "bio": None})
        return inp.n

    def insert_bulk(self, inp):
        with self.engine.begin() as c:
            c.execute(insert(S), [{"id": i, "name": name, "email": email, "bio": None}
                                  for (i, name, email) in inp.rows])
        return inp.n

    def load(self, inp):
        with self.engine.connect() as c:
            rows = c.execute(select(A).order_by(A.c.id)).all()
            return sum(common.sum_author(a) for a in rows)

    def lookup(self, inp):
        stmt = select(A).where(A.c.id == bindparam("id"))
        total = 0
        with self.engine.connect() as c:
            for i in inp.ids:
                total += common.sum_author(c.execute(stmt, {"id": i}).one())
                c.commit()    # autocommit: one transaction per lookup
        return total

    def lookup_tx(self, inp):
        stmt = select(A).where(A.c.id == bindparam("id"))
        total = 0
        with self.engine.begin() as c:
            for i in inp.ids:
                total += common.sum_author(c.execute(stmt, {"id": i}).one())
        return total

    def filtered(self, inp):
        stmt = select(A).where(A.c.name == bindparam("name")).order_by(A.c.id).limit(20)
        total = 0
        with self.engine.connect() as c:
            for name in inp.names:
                total += sum(common.sum_author(a) for a in c.execute(stmt, {"name": name}).all())
        return total

    def assoc(self, inp):
        P = Post.__table__
        C = Comment.__table__
        total = 0
        with self.engine.connect() as c:
            authors = c.execute(select(A).where(A.c.id <= common.ASSOC_AUTHORS)
                                .order_by(A.c.id)).all()
            posts = c.execute(select(P).where(P.c.author_id.in_([a.id for a in authors]))
                              .order_by(P.c.author_id, P.c.id)).all()
            comments = c.execute(select(C).where(C.c.post_id.in_([p.id for p in posts]))
                                 .order_by(C.c.post_id, C.c.id)).all()
            by_author, by_post = {}, {}
            for p in posts:
                by_author.setdefault(p.author_id, []).append(p)
            for cm in comments:
                by_post.setdefault(cm.post_id, []).append(cm)
            for a in authors:
                total += a.id
                for p in by_author.get(a.id, ()):
                    total += p.id + len(p.title)
                    for cm in by_post.get(p.id, ()):
                        total += cm.id + len(cm.body)
        return total

    def request(self, inp):
        stmt = select(A).where(A.c.id == bindparam("id"))
        total = 0
        ids = inp.ids
        for r in range(inp.requests):
            with self.engine.connect() as c:
                rows = [c.execute(stmt, {"id": ids[r * 20 + k]}).one() for k in range(20)]
                total += sum(common.sum_author(a) for a in rows)
        return total

    def stream(self, inp):
        total = 0
        with self.engine.connect() as c:
            res = c.execution_options(stream_results=True).execute(select(I))
            for it in res:
                total += it.id + it.qty + len(it.label)
        return total


if __name__ == "__main__":
    kind, workload, url, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    common.run((Orm if kind == "orm" else Core)(url), workload, n)
