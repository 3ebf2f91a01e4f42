"""Django ORM contender (Django 3.2 from Debian), used as its docs say:
Model.objects.get() for lookups, transaction.atomic() for transactions,
bulk_create() for bulk inserts, prefetch_related() for relations,
QuerySet.iterator() for large results."""
import sys

import django
from django.conf import settings

import common

kind, workload, url, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine, p = common.parse(url)
if engine == "sqlite":
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": p["path"],
          "OPTIONS": {"timeout": 5}}
elif engine == "pg":
    db = {"ENGINE": "django.db.backends.postgresql", "NAME": p["db"], "USER": p["user"],
          "PASSWORD": p["password"], "HOST": p["host"], "PORT": p["port"]}
else:
    db = {"ENGINE": "django.db.backends.mysql", "NAME": p["db"], "USER": p["user"],
          "PASSWORD": p["password"], "HOST": p["host"], "PORT": p["port"],
          "OPTIONS": {"charset": "utf8mb4"}}
db["CONN_MAX_AGE"] = None   # one persistent connection, as a server would keep
settings.configure(DATABASES={"default": db}, INSTALLED_APPS=[], USE_TZ=True,
                   DEBUG=False)
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.db.models import Prefetch  # noqa: E402


def _pragmas(sender, connection, **kw):
    if connection.vendor == "sqlite":
        c = connection.cursor()
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("PRAGMA foreign_keys=ON")


connection_created.connect(_pragmas)


class Author(models.Model):
    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=255)
    bio = models.TextField(null=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_author"


class Scratch(models.Model):
    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=255)
    bio = models.TextField(null=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_scratch"


class Post(models.Model):
    id = models.BigIntegerField(primary_key=True)
    author = models.ForeignKey(Author, models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        app_label = "bench"
        db_table = "bench_post"


class Comment(models.Model):
    id = models.BigIntegerField(primary_key=True)
    post = models.ForeignKey(Post, models.CASCADE, related_name="comments")
    body = models.TextField()

    class Meta:
        app_label = "bench"
        db_table = "bench_comment"


class Item(models.Model):
    id = models.BigIntegerField(primary_key=True)
    label = models.CharField(max_length=64)
    qty = models.IntegerField()

    class Meta:
        app_label = "bench"
        db_table = "bench_item"


class Django:
    NAME = "django"

    def warm(self):
        Author.objects.get(pk=1)

    def clear_scratch(self):
        Scratch.objects.all().delete()

    def insert_one(self, inp):
        with transaction.atomic():
            for (i, name, email) in inp.rows:
                Scratch.objects.create(id=i, name=name, email=email, bio=None)
        return inp.n

    def insert_bulk(self, inp):
        with transaction.atomic():
            Scratch.objects.bulk_create([Scratch(id=i, name=name, email=email, bio=None)
                                         for (i, name, email) in inp.rows], batch_size=1000)
        return inp.n

    def load(self, inp):
        return sum(common.sum_author(a) for a in list(Author.objects.order_by("id")))

    def lookup(self, inp):
        return sum(common.sum_author(Author.objects.get(pk=i)) for i in inp.ids)

    def lookup_tx(self, inp):
        with transaction.atomic():
            return self.lookup(inp)

    def filtered(self, inp):
        total = 0
        for name in inp.names:
            total += sum(common.sum_author(a)
                         for a in Author.objects.filter(name=name).order_by("id")[:20])
        return total

    def assoc(self, inp):
        total = 0
        qs = (Author.objects.filter(id__lte=common.ASSOC_AUTHORS).order_by("id")
              .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("id")),
                                Prefetch("posts__comments",
                                         queryset=Comment.objects.order_by("id"))))
        for a in qs:
            total += a.id
            for p in a.posts.all():
                total += p.id + len(p.title)
                for c in p.comments.all():
                    total += c.id + len(c.body)
        return total

    def request(self, inp):
        total = 0
        ids = inp.ids
        for r in range(inp.requests):
            rows = [Author.objects.get(pk=ids[r * 20 + k]) for k in range(20)]
            total += sum(common.sum_author(a) for a in rows)
        return total

    def stream(self, inp):
        total = 0
        for it in Item.objects.all().iterator(chunk_size=2000):
            total += it.id + it.qty + len(it.label)
        return total


common.run(Django(), workload, n)
