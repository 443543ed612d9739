"""The third step (add, fill, drop): a partnership's single `renewed_on` goes, now that its renewals are rows of
their own (`AgreementRenewal`, filled from every value the field held by the previous migration). Kept, it would be a
second answer to "when was it last renewed" that nothing keeps in step with the renewals; the API still reads
`renewed_on`, as the latest renewal's date."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('diplomacy', '0006_renewals_from_renewed_on'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalpartnership',
            name='renewed_on',
        ),
        migrations.RemoveField(
            model_name='partnership',
            name='renewed_on',
        ),
    ]
