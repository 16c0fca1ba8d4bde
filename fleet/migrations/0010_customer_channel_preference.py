from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0009_search_extensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="channel_preference",
            field=models.CharField(
                choices=[("sms", "SMS"), ("whatsapp", "WhatsApp"), ("both", "SMS and WhatsApp")],
                db_default="sms",
                default="sms",
                max_length=8,
            ),
        ),
    ]
