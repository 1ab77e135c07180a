"""Distributed batch: the local batch's inputs, manifest, resume and output discipline, with the rendering
done by Celery workers on many machines and a Redis broker between them.

`publisher batch --engine celery` plans the batch exactly as the local engine does (publisher.batch), then
sends one task per document (its source bytes travel in the task, so workers need no access to the input
files) and records each result in the same manifest. `publisher worker` runs a Celery worker whose task
renders one document with the same function as a local worker (publisher.batch.render_item) and writes
its files, by temporary name and rename, to the output folder all machines share.

Modules: settings (the configuration, no Celery import), tasks (the Celery app and the task), submit
(the submitting side). Celery is an optional dependency (the `celery` extra) and is imported only by
tasks and submit, so `publisher render` and `validate` never load it.
"""
