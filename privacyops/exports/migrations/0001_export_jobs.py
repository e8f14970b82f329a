import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('requests_app', '0031_pause_created_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Export',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, verbose_name='what')),
                ('title', models.CharField(max_length=200, verbose_name='file')),
                ('status', models.CharField(choices=[('queued', 'Waiting for a worker'), ('running', 'Being made'), ('done', 'Ready to download'), ('failed', 'Failed'), ('expired', 'Deleted (kept period over)')], default='queued', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='asked at')),
                ('language', models.CharField(default='ja', max_length=8, verbose_name='language')),
                ('params', models.JSONField(blank=True, default=dict, verbose_name='filters')),
                ('rows_done', models.PositiveIntegerField(default=0, verbose_name='rows written')),
                ('rows_total', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows in all')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='deleted at')),
                ('file_name', models.CharField(blank=True, editable=False, max_length=100)),
                ('download_name', models.CharField(blank=True, max_length=150, verbose_name='file name')),
                ('content_type', models.CharField(blank=True, editable=False, max_length=100)),
                ('size', models.PositiveBigIntegerField(default=0, verbose_name='size (bytes)')),
                ('error', models.TextField(blank=True, verbose_name='why it failed')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='exports', to=settings.AUTH_USER_MODEL, verbose_name='asked by')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='requests_app.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'export',
                'verbose_name_plural': 'exports',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['created_by', '-created_at'], name='export_user_idx'), models.Index(fields=['status', 'expires_at'], name='export_expiry_idx')],
            },
        ),
    ]
